// Finds and loads sculpt-cli-runtime.so: beside the executable in a build tree, in
// ../lib/sculpt for an installed one.

#include "commands.h"
#include "runtime_module.h"

#include <dlfcn.h>
#include <filesystem>
#include <iostream>
#include <optional>

namespace sculpt::cli {
namespace {

namespace fs = std::filesystem;

std::optional<fs::path> findModule()
{
    std::error_code error;
    const fs::path folder = fs::read_symlink("/proc/self/exe", error).parent_path();
    if (error)
        return std::nullopt;
    for (const fs::path &candidate : {folder / kRuntimeModuleFile, folder / ".." / "lib" / "sculpt" / kRuntimeModuleFile})
        if (fs::is_regular_file(candidate, error))
            return candidate;
    return std::nullopt;
}

} // namespace

int runtimeCommand(const std::string &name, const std::vector<std::string> &args)
{
    const auto module = findModule();
    if (!module) {
        std::cerr << "sculpt-cli: " << name << " runs models with LibTorch, but " << kRuntimeModuleFile
                  << " is neither beside sculpt-cli nor in ../lib/sculpt (a build without LibTorch has none)\n";
        return kFailed;
    }
    // Never closed: LibTorch cannot be unloaded safely, and the process ends with the command.
    void *handle = ::dlopen(module->c_str(), RTLD_NOW | RTLD_LOCAL);
    const auto entry = handle ? reinterpret_cast<decltype(&sculpt_runtime_command)>(::dlsym(handle, kRuntimeEntryPoint))
                              : nullptr;
    if (!entry) {
        std::cerr << "sculpt-cli: cannot load " << module->string() << ": " << ::dlerror() << "\n";
        return kFailed;
    }
    std::vector<const char *> argv;
    for (const auto &arg : args)
        argv.push_back(arg.c_str());
    return entry(name.c_str(), static_cast<int>(argv.size()), argv.data());
}

} // namespace sculpt::cli
