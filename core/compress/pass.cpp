#include "compress/pass.h"

#include <chrono>
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

} // namespace

double CompressionRequest::setting(const std::vector<PassSetting> &defaults, const std::string &key) const
{
    if (const auto it = settings.find(key); it != settings.end())
        return it->second;
    for (const PassSetting &d : defaults)
        if (d.key == key)
            return d.value;
    throw std::logic_error("the pass asked for a setting it does not declare: " + key);
}

void checkRequest(const CompressionPass &pass, const CompressionRequest &request)
{
    if (!(request.ratio >= 0 && request.ratio < 1))
        throw std::invalid_argument("the ratio removed must be in [0, 1), not " + std::to_string(request.ratio));
    if (pass.needsCalibration() && request.calibrationText.empty())
        throw std::invalid_argument(pass.name() + " needs calibration text (--calib FILE)");
    const std::vector<PassSetting> declared = pass.settings();
    for (const auto &[key, value] : request.settings) {
        bool known = false;
        for (const PassSetting &d : declared)
            known = known || d.key == key;
        if (!known)
            throw std::invalid_argument(pass.name() + " has no setting '" + key + "'");
    }
}

CompressedModel runPass(const CompressionPass &pass, const Checkpoint &checkpoint, const Tokenizer &tokenizer,
                        const CompressionRequest &request, const JobContext &job)
{
    checkRequest(pass, request);
    const auto start = std::chrono::steady_clock::now();
    CompressedModel model = pass.run(checkpoint, tokenizer, request, job);
    model.recordRunTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return model;
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
