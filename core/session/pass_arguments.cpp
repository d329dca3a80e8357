#include "session/pass_arguments.h"

#include "compress/pass.h"
#include "io/shortest_text.h"

#include <stdexcept>

namespace sculpt {
std::vector<std::string> passArguments(const std::string &model, const PassRequest &request, const std::string &output,
                                       ExportFormat format)
{
    const CompressionPass *pass = findPass(request.method);
    if (!pass)
        throw std::invalid_argument("no compression pass '" + request.method + "' in this build");
    std::vector<std::string> args = {model, "--method", request.method};
    const auto add = [&](const char *option, const std::string &value) {
        if (!value.empty())
            args.insert(args.end(), {option, value});
    };
    if (pass->takesRatio())
        add("--ratio", shortestText(request.ratio));
    if (pass->needsCalibration()) {
        add(pass->needsImageQuestions() ? "--calib-images" : "--calib",
            pass->needsImageQuestions() ? request.calibrationQuestions : request.calibrationFile);
        add("--calib-labels", request.calibrationLabels);
        add("--calib-count", std::to_string(request.calibrationCount));
    }
    add("--tokenizer", request.tokenizer);
    add("--config", request.model.sidecar);
    for (const PassSetting &s : pass->settings())
        if (const auto it = request.settings.find(s.key); it != request.settings.end())
            add("--set", s.key + "=" + settingText(s, it->second));
    if (request.device != "cpu")
        add("--device", request.device);
    add("-o", output);
    add("--format", formatName(format));
    return args;
}

} // namespace sculpt
