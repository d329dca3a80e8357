#include "io/error.h"
#include "runtime/sentencepiece_module.h"

#include <dlfcn.h>
#include <filesystem>
#include <mutex>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

// Installed beside the other modules in <prefix>/lib/sculpt, reached from the running
// executable's <prefix>/bin; in a build tree where CMake put it.
std::vector<fs::path> moduleCandidates()
{
    std::vector<fs::path> candidates;
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (!error)
        candidates.push_back(exe.parent_path() / ".." / "lib" / "sculpt" / kSentencePieceModuleFile);
    candidates.emplace_back(SCULPT_SENTENCEPIECE_BUILD_MODULE);
    return candidates;
}

// The module's entry point, loaded once; null with `why` set when it cannot be.
decltype(&sculpt_sentencepiece_tokenizer) entryPoint(std::string &why)
{
    static std::once_flag once;
    static decltype(&sculpt_sentencepiece_tokenizer) entry = nullptr;
    static std::string failure;
    std::call_once(once, [] {
        for (const fs::path &candidate : moduleCandidates()) {
            std::error_code error;
            if (!fs::is_regular_file(candidate, error))
                continue;
            // Never closed: tokenizers it made may live until the process ends.
            void *handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
            if (handle)
                entry = reinterpret_cast<decltype(entry)>(::dlsym(handle, kSentencePieceEntryPoint));
            if (!entry)
                failure = "cannot load " + candidate.string() + ": " + ::dlerror();
            return;
        }
        failure = kSentencePieceModuleFile;
        failure += ", which reads SentencePiece models, is not installed";
    });
    why = failure;
    return entry;
}

} // namespace

std::unique_ptr<Tokenizer> readSentencePieceTokenizer(const std::string &path, std::span<const std::byte> bytes)
{
    // A serialized ModelProto starts with its pieces, field 1 of wire type 2: byte 0x0A.
    // Anything else is not a SentencePiece model, and needs no module to say so.
    if (bytes.empty() || bytes[0] != std::byte{0x0A})
        return nullptr;
    std::string why;
    const auto entry = entryPoint(why);
    if (!entry)
        throw FileError(path, why);
    return std::unique_ptr<Tokenizer>(entry(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
}

} // namespace sculpt
