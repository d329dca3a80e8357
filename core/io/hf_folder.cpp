#include "io/hf_folder.h"

#include "io/error.h"
#include "io/json_text.h"
#include "io/formats.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMaxConfigBytes = 10'000'000;

// The weights file a folder holds, in the order transformers itself prefers.
fs::path findWeights(const fs::path &folder)
{
    for (const char *name : {"model.safetensors.index.json", "model.safetensors", "pytorch_model.bin.index.json",
                             "pytorch_model.bin"})
        if (fs::is_regular_file(folder / name))
            return folder / name;
    std::vector<fs::path> candidates;
    std::error_code error;
    for (const auto &entry : fs::directory_iterator(folder, error))
        if (entry.is_regular_file() && (entry.path().extension() == ".safetensors" || entry.path().extension() == ".gguf"))
            candidates.push_back(entry.path());
    if (error)
        throw FileError(folder.string(), "cannot list the folder: " + error.message());
    std::sort(candidates.begin(), candidates.end());
    if (candidates.size() == 1)
        return candidates.front();
    if (candidates.empty())
        throw FileError(folder.string(), "folder has config.json but no weights (model.safetensors, pytorch_model.bin, …)");
    throw FileError(folder.string(), "folder holds several weight files and no index to say which belong together");
}

} // namespace

std::unique_ptr<Checkpoint> readHfFolder(const std::string &folder, const JobContext &job)
{
    const fs::path dir(folder);
    const fs::path configPath = dir / "config.json";
    if (!fs::is_regular_file(configPath))
        throw FileError(folder, "folder has no config.json");
    auto configFile = MappedFile::open(configPath.string());
    if (configFile->size() > kMaxConfigBytes)
        throw FileError(configPath.string(), "config.json is larger than 10 MB");
    const std::string config(reinterpret_cast<const char *>(configFile->data()), configFile->size());
    if (!parseJson(config, configPath.string(), "config.json").is_object())
        throw FileError(configPath.string(), "config.json is not a JSON object");

    auto weights = openCheckpointFile(findWeights(dir).string(), job);
    auto checkpoint = std::make_unique<Checkpoint>(folder, "hf folder (" + weights->format() + ")");
    checkpoint->merge(std::move(*weights));
    checkpoint->metadata()[kConfigKey] = config;
    return checkpoint;
}

} // namespace sculpt
