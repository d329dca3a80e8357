#include "io/formats.h"

#include "io/error.h"
#include "io/gguf.h"
#include "io/hf_folder.h"
#include "io/leftovers.h"
#include "io/llama2c.h"
#include "io/mapped_file.h"
#include "io/pytorch_zip.h"
#include "io/safetensors.h"
#include "io/shard_index.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace sculpt {
namespace {

std::vector<std::byte> readHead(const std::string &path, uint64_t &fileSize)
{
    const auto file = MappedFile::open(path);
    fileSize = file->size();
    const auto head = file->slice(0, std::min<uint64_t>(fileSize, kClaimHeadBytes), "head");
    return {head.begin(), head.end()};
}

// Single-file readers read one header: nothing to report, nothing worth cancelling.
template <std::unique_ptr<Checkpoint> (*read)(const std::string &)>
std::unique_ptr<Checkpoint> headerOnly(const std::string &path, const JobContext &)
{
    return read(path);
}

} // namespace

FormatRegistry &FormatRegistry::instance()
{
    static FormatRegistry registry = [] {
        FormatRegistry r;
        // Formats with magic bytes first; llama2.c has none, so it goes last.
        r.add({"gguf", {".gguf"}, claimsGguf, headerOnly<readGguf>});
        r.add({"pytorch", {".pt", ".pth", ".bin"}, claimsPytorchZip, headerOnly<readPytorchZip>});
        r.add({"safetensors", {".safetensors"}, claimsSafetensors, headerOnly<readSafetensors>});
        r.add({"shard index", {".json"}, claimsShardIndex, readShardIndex});
        r.add({"llama2.c", {".bin"}, claimsLlama2c, headerOnly<readLlama2c>});
        return r;
    }();
    return registry;
}

void FormatRegistry::add(CheckpointFormat format) { formats_.push_back(std::move(format)); }

std::unique_ptr<Checkpoint> openCheckpoint(const std::string &path, const JobContext &job)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
        recoverLeftovers(path); // an export stranded by a kill mid-replace comes back
    if (::stat(path.c_str(), &st) != 0)
        throw FileError(path, std::strerror(errno));
    if (S_ISDIR(st.st_mode))
        return readHfFolder(path, job);
    return openCheckpointFile(path, job);
}

std::unique_ptr<Checkpoint> openCheckpointFile(const std::string &path, const JobContext &job, bool allowIndex)
{
    uint64_t size = 0;
    const auto head = readHead(path, size);
    if (size == 0)
        throw FileError(path, "empty file");
    for (const auto &format : FormatRegistry::instance().formats())
        if (format.claims(head, size)) {
            if (!allowIndex && format.name == "shard index")
                throw FileError(path, "a shard index cannot name another index");
            return format.open(path, job);
        }
    throw FileError(path, "not a checkpoint format Sculpt knows (safetensors, GGUF, PyTorch zip, llama2.c)");
}

} // namespace sculpt
