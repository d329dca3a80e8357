#include "runtime/own_module.h"

#include <dlfcn.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

// ASan's runtime (TSan's and MSan's too) ends the process on RTLD_DEEPBIND, which would put a
// module's own symbols ahead of its interceptors: sanitized builds (SCULPT_SANITIZE,
// SCULPT_FUZZ) load modules without it, in the one symbol scope. What the own scope keeps
// apart is LibTorch's protobuf: fine in the fuzz build, which has no LibTorch; a sanitized
// build with LibTorch may meet the clash sentencepiece_module.h describes.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kOwnScope = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
constexpr int kOwnScope = 0;
#else
constexpr int kOwnScope = RTLD_DEEPBIND;
#endif
#else
constexpr int kOwnScope = RTLD_DEEPBIND;
#endif

struct Loaded {
    void *handle = nullptr;
    std::string failure;
};

Loaded load(const std::string &file, const std::string &builtAt, const std::string &purpose)
{
    std::vector<fs::path> candidates;
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (!error)
        candidates.push_back(exe.parent_path() / ".." / "lib" / "sculpt" / file);
    candidates.emplace_back(builtAt);
    for (const fs::path &candidate : candidates) {
        if (!fs::is_regular_file(candidate, error))
            continue;
        if (void *handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | kOwnScope))
            return {handle, {}};
        return {nullptr, "cannot load " + candidate.string() + ": " + ::dlerror()};
    }
    return {nullptr, file + ", which " + purpose + ", is not installed"};
}

} // namespace

void *ownModuleSymbol(const std::string &file, const std::string &builtAt, const std::string &symbol,
                      const std::string &purpose, std::string &why)
{
    static std::mutex lock;
    static std::map<std::string, Loaded> modules; // by file: each loaded, or refused, once
    const std::lock_guard guard(lock);
    auto found = modules.find(file);
    if (found == modules.end())
        found = modules.emplace(file, load(file, builtAt, purpose)).first;
    const Loaded &module = found->second;
    if (!module.handle) {
        why = module.failure;
        return nullptr;
    }
    void *address = ::dlsym(module.handle, symbol.c_str());
    if (!address)
        why = "cannot load " + file + ": no " + symbol;
    return address;
}

} // namespace sculpt
