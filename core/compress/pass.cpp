#include "compress/pass.h"

#include "compress/calibration.h"
#include "data/idx.h"
#include "io/shortest_text.h"
#include "runtime/device.h"
#include "runtime/model_family.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace sculpt {
namespace {

std::mutex registryMutex;

std::vector<std::unique_ptr<CompressionPass>> &registry()
{
    static std::vector<std::unique_ptr<CompressionPass>> all;
    return all;
}

bool isValue(const PassSetting &s, double v)
{
    switch (s.type) {
    case PassSetting::Type::Integer:
        return std::isfinite(v) && v == std::floor(v);
    case PassSetting::Type::Number:
        return std::isfinite(v);
    case PassSetting::Type::Boolean:
        return v == 0 || v == 1;
    case PassSetting::Type::Choice:
        return v >= 0 && v < double(s.choices.size()) && v == std::floor(v);
    }
    return false;
}

std::string typeName(const PassSetting &s)
{
    switch (s.type) {
    case PassSetting::Type::Integer:
        return "a whole number";
    case PassSetting::Type::Number:
        return "a number";
    case PassSetting::Type::Boolean:
        return "true or false";
    case PassSetting::Type::Choice: {
        std::string names;
        for (const std::string &c : s.choices)
            names += (names.empty() ? "" : ", ") + c;
        return "one of " + names;
    }
    }
    return {};
}

} // namespace

std::optional<double> parseSetting(const PassSetting &setting, const std::string &text)
{
    if (setting.type == PassSetting::Type::Boolean) {
        if (text == "true" || text == "1")
            return 1.0;
        if (text == "false" || text == "0")
            return 0.0;
        return std::nullopt;
    }
    if (setting.type == PassSetting::Type::Choice)
        for (size_t i = 0; i < setting.choices.size(); ++i)
            if (setting.choices[i] == text)
                return double(i);
    char *end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !isValue(setting, v))
        return std::nullopt;
    return v;
}

std::string settingText(const PassSetting &setting, double value)
{
    switch (setting.type) {
    case PassSetting::Type::Boolean:
        return value != 0 ? "true" : "false";
    case PassSetting::Type::Choice:
        return value >= 0 && value < double(setting.choices.size()) ? setting.choices[size_t(value)] : "?";
    case PassSetting::Type::Integer:
        return std::to_string(int64_t(value));
    case PassSetting::Type::Number:
        break;
    }
    // A setting typed in the window reaches a cluster node's `--set` unchanged.
    return shortestText(value);
}

double CompressionRequest::setting(const std::vector<PassSetting> &defaults, const std::string &key) const
{
    if (const auto it = settings.find(key); it != settings.end())
        return it->second;
    for (const PassSetting &d : defaults)
        if (d.key == key)
            return d.value;
    throw std::logic_error("the pass asked for a setting it does not declare: " + key);
}

std::string calibrationKind(ModelKind kind)
{
    switch (kind) {
    case ModelKind::Language:
        return "text";
    case ModelKind::Vision:
        return "images";
    case ModelKind::Layout:
        break;
    }
    return "layouts";
}

void checkModelKind(const CompressionPass &pass, ModelKind kind)
{
    const std::vector<ModelKind> kinds = pass.models();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
        throw std::invalid_argument(pass.name() + " does not compress a " + kindName(kind));
}

void checkRequest(const CompressionPass &pass, ModelKind kind, const CompressionRequest &request)
{
    checkModelKind(pass, kind);
    if (!(request.ratio >= 0 && request.ratio < 1))
        throw std::invalid_argument("the ratio removed must be in [0, 1), not " + std::to_string(request.ratio));
    const CalibrationData &data = request.calibration;
    if (pass.needsCalibration()) {
        const bool text = kind == ModelKind::Language;
        if (pass.needsImageQuestions() && data.questions.empty())
            throw std::invalid_argument(pass.name() + " needs images with questions and answers (--calib-images FILE)");
        const bool given = text ? !data.text.empty() || !data.questions.empty()
                           : kind == ModelKind::Vision ? bool(data.images)
                                                       : bool(data.pages);
        if (!given)
            throw std::invalid_argument(pass.name() + " needs calibration " + calibrationKind(kind) + " (--calib " +
                                        (kind == ModelKind::Layout ? "FILE|FOLDER)" : "FILE)"));
        if (text && !data.tokenizer)
            throw std::invalid_argument(pass.name() + " needs the model's tokenizer to read its calibration text");
        if (kind == ModelKind::Vision && pass.needsLabels() && data.labels.empty())
            throw std::invalid_argument(pass.name() + " needs the calibration images' labels (--calib-labels FILE)");
        if (data.count < 1)
            throw std::invalid_argument("a pass calibrates on at least one document, image or page");
    }
    const std::vector<PassSetting> declared = pass.settings();
    for (const auto &[key, value] : request.settings) {
        const auto d = std::find_if(declared.begin(), declared.end(), [&](const PassSetting &s) { return s.key == key; });
        if (d == declared.end())
            throw std::invalid_argument(pass.name() + " has no setting '" + key + "'");
        if (!isValue(*d, value))
            throw std::invalid_argument(pass.name() + "'s " + key + " takes " + typeName(*d) + ", not " +
                                        std::to_string(value));
    }
}

CompressedModel runPass(const CompressionPass &pass, const Checkpoint &checkpoint, const ModelOptions &options,
                        const CompressionRequest &request, const JobContext &job)
{
    const std::optional<ModelKind> kind = runnableKind(checkpoint, options);
    checkRequest(pass, kind.value_or(ModelKind::Language), request);
    const auto start = std::chrono::steady_clock::now();
    std::shared_ptr<Model> model = loadModel(checkpoint, kind.value_or(ModelKind::Language), parseDevice(request.device), options);
    const Calibration calibration =
        pass.needsCalibration() ? makeCalibration(*model, request.calibration) : Calibration(model->kind());
    CompressedModel compressed = pass.run(std::move(model), calibration, request, job);
    compressed.recordRunTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return compressed;
}

void registerPass(std::unique_ptr<CompressionPass> pass)
{
    const std::lock_guard lock(registryMutex);
    for (const auto &p : registry())
        if (p->name() == pass->name())
            return; // registering the bundled passes twice is harmless
    registry().push_back(std::move(pass));
}

const CompressionPass *findPass(const std::string &name)
{
    const std::lock_guard lock(registryMutex);
    for (const auto &p : registry())
        if (p->name() == name)
            return p.get();
    return nullptr;
}

std::vector<const CompressionPass *> passes()
{
    const std::lock_guard lock(registryMutex);
    std::vector<const CompressionPass *> all;
    for (const auto &p : registry())
        all.push_back(p.get());
    return all;
}

} // namespace sculpt
