#include "io/shard_index.h"

#include "io/error.h"
#include "io/json_text.h"
#include "io/formats.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sculpt {

namespace {
constexpr uint64_t kMaxIndexBytes = 100'000'000;
}

// Any JSON object: "weight_map" may sit past the head after a long "metadata", and a JSON
// file that is not an index gets the clearer "no weight_map" error from the reader.
bool claimsShardIndex(std::span<const std::byte> head, uint64_t)
{
    const std::string_view text(reinterpret_cast<const char *>(head.data()), head.size());
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{';
}

std::unique_ptr<Checkpoint> readShardIndex(const std::string &path, const JobContext &job)
{
    using json = nlohmann::json;
    auto file = MappedFile::open(path);
    if (file->size() > kMaxIndexBytes)
        throw FileError(path, "index is larger than 100 MB");
    const json index = parseJson(std::string_view(reinterpret_cast<const char *>(file->data()), file->size()), path,
                                 "index", {.values = 2'000'000, .depth = 8});
    const auto map = index.is_object() ? index.find("weight_map") : index.end();
    if (map == index.end() || !map->is_object())
        throw FileError(path, "index has no weight_map object");

    const auto slash = path.rfind('/');
    const std::string folder = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    const std::string self = slash == std::string::npos ? path : path.substr(slash + 1);
    std::vector<std::string> shards;
    for (const auto &[name, shard] : map->items()) {
        if (!shard.is_string())
            throw FileError(path, "weight_map entry for '" + name + "' is not a file name");
        const auto fileName = shard.get<std::string>();
        // Shards live beside the index; a path elsewhere is not ours to open.
        if (fileName.empty() || fileName.find('/') != std::string::npos || fileName == "." ||
            fileName == ".." || fileName == self)
            throw FileError(path, "weight_map names '" + fileName + "', which is not a shard beside the index");
        if (std::find(shards.begin(), shards.end(), fileName) == shards.end())
            shards.push_back(fileName);
    }
    if (shards.empty())
        throw FileError(path, "weight_map is empty");

    std::unique_ptr<Checkpoint> checkpoint;
    for (size_t i = 0; i < shards.size(); ++i) {
        const std::string &shard = shards[i];
        job.checkCancelled();
        job.report(static_cast<long>(i), static_cast<long>(shards.size()), "opening " + shard);
        auto part = openCheckpointFile(folder + "/" + shard, job, /*allowIndex=*/false);
        for (const auto &[name, where] : map->items())
            if (where.get<std::string>() == shard && !part->find(name))
                throw FileError(path, "weight_map puts '" + name + "' in " + shard + ", which does not hold it");
        if (!checkpoint)
            checkpoint = std::make_unique<Checkpoint>(path, part->format() + " (sharded)");
        checkpoint->merge(std::move(*part));
    }
    job.report(static_cast<long>(shards.size()), static_cast<long>(shards.size()));
    if (const auto meta = index.find("metadata"); meta != index.end() && meta->is_object())
        for (const auto &[k, v] : meta->items())
            checkpoint->metadata()[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return checkpoint;
}

} // namespace sculpt
