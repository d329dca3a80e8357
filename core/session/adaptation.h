#pragma once
// Adapt, as `sculpt-cli adapt` runs it: a vision model fine-tuned on an image task by one method
// (linear probe, full fine-tuning, LoRA, bottleneck adapters) and measured on the task's test
// images. Torch-free.

#include "job/job.h"
#include "records/adaptation_record.h"
#include "records/expert_routing.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

struct AdaptRequest {
    std::string task, dataRoot; // as HeadScoreRequest's
    std::string method = "lora"; // linear, full, or an adapter kind (adapterKindNames)
    int64_t rank = 8;
    int64_t experts = 4; // Lily's model-wide experts per role
    int epochs = 10;
    double learningRate = 1e-2; // full fine-tuning of fashion-vit does best at 1e-3 (README)
    uint64_t seed = 0;
    std::string config;
    // Where to write the result; nowhere when empty. LoRA: a PEFT folder (its adapters and the
    // classifier, base_model_name_or_path the model's path); a linear probe or full
    // fine-tuning: a Hugging Face folder of the whole model. Bottleneck adapters have no
    // format another tool reads, and are refused.
    std::string output;
};

// What a run that changes a model shows side by side: the classes the model it started from
// and its result predict for the task's first test images (AdaptationRecord::kPreviewImages),
// and the starting model's test accuracy and trained elements.
struct PredictionPreview {
    std::vector<int64_t> before, after;
    double beforeTestAccuracy = AdaptationRecord::kNotMeasured;
    int64_t beforeTrainable = 0;
};

struct AdaptRun {
    std::vector<AdaptationEpoch> curve;
    int64_t trainable = 0;
    double testAccuracy = 0;
    PredictionPreview preview; // before: the model as opened, its own classifier on the task
    ExpertRouting routing;     // of adapters that mix experts (Lily), over the test images; else empty
};

// The adapter kinds a run can attach: core's and the plugins' (lora, bottleneck, lily …), with
// what a menu shows for each.
struct AdapterKindInfo {
    std::string name, title;
    std::vector<std::string> settings; // the request fields it reads: "rank", "experts" …
    bool writesFolder = false;         // whether a run's adapters can be written (a PEFT folder)

    bool reads(const std::string &setting) const
    {
        return std::find(settings.begin(), settings.end(), setting) != settings.end();
    }
};

// The kind named `name` among `kinds`; nullptr when it is not one (a linear probe, full fine-tuning).
inline const AdapterKindInfo *findKindInfo(const std::vector<AdapterKindInfo> &kinds, const std::string &name)
{
    const auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const AdapterKindInfo &k) { return k.name == name; });
    return kind == kinds.end() ? nullptr : &*kind;
}
std::vector<AdapterKindInfo> adapterKindInfos();
std::string adapterKindNames(); // "lora, bottleneck, lily": for a one-line error

// Throws FileError for a file it cannot use or an output that cannot become an export,
// std::invalid_argument for an unknown method, a model that is not a vision model, an output
// for bottleneck adapters or a whole model's output for a layout a Hugging Face config cannot
// say — these before any training — and Cancelled on request. `onEpoch`
// runs on the job's thread after each epoch.
AdaptRun adapt(const Checkpoint &checkpoint, const AdaptRequest &request, const JobContext &job,
               const std::function<void(const AdaptationEpoch &)> &onEpoch = {});

} // namespace sculpt
