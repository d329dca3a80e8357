#include "cluster/node_arguments.h"

#include "io/error.h"

#include <filesystem>
#include <set>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

// The options whose value is read; -o is written, so only made absolute.
const std::set<std::string> kInputs = {"--calib", "--calib-labels", "--calib-images", "--tokenizer", "--config",
                                       "--eval",  "--eval-labels",  "--text",         "--images",    "--labels",
                                       "--vqa",   "--adapters"};
const std::string kOutput = "-o";

} // namespace

std::vector<std::string> nodeArguments(const std::vector<std::string> &arguments)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < arguments.size(); ++i) {
        const std::string &arg = arguments[i];
        out.push_back(arg);
        if ((kInputs.contains(arg) || arg == kOutput) && i + 1 < arguments.size()) {
            const std::string &path = arguments[++i];
            if (kInputs.contains(arg) && !fs::exists(path))
                throw FileError(path, "no such file or folder (" + arg + ")");
            out.push_back(fs::absolute(path).lexically_normal().string());
        }
    }
    return out;
}

} // namespace sculpt
