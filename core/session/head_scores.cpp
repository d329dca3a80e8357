#include "session/head_scores.h"

#include "adapt/adapter_kinds.h"
#include "adapt/adapters.h"
#include "adapt/fine_tune.h"
#include "adapt/head_pruning.h"
#include "adapt/head_scoring.h"
#include "adapt/peft.h"
#include "io/export_folder.h"
#include "io/joined.h"
#include "runtime/hf_export.h"
#include "session/task_model.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace sculpt {
namespace {

void checkOutput(const HeadScoreRequest &request)
{
    if (request.output.empty())
        return;
    if (request.mask < 0)
        throw std::invalid_argument("only a masked model is written out: give the fraction of heads to mask");
    if (request.adapter != "lora" && request.adapter != "none")
        throw std::invalid_argument(request.adapter + " adapters cannot be merged into a Hugging Face ViT: "
                                    "write out a model adapted by LoRA or none");
    ExportFolder::checkWritable(request.output);
}

// What config.json records of the run beside HF's own pruned_heads.
std::string heatRecord(const HeadScoreRequest &request, const HeadScoreRun &run)
{
    nlohmann::json masked = nlohmann::json::array();
    for (const auto &[layer, head] : run.masked)
        masked.push_back({layer, head});
    return nlohmann::json{{"strategy", request.strategy},
                          {"task", request.task},
                          {"mask", request.mask},
                          {"per_layer", request.perLayer},
                          {"adapter", request.adapter},
                          {"seed", request.seed},
                          {"masked_heads", masked},
                          {"test_accuracy", run.testAccuracy},
                          {"parameters", {{"before", run.before.parameters}, {"after", run.after.parameters}}},
                          {"multiply_adds", {{"before", run.before.multiplyAdds}, {"after", run.after.multiplyAdds}}}}
        .dump();
}

} // namespace

std::vector<std::string> headScoreStrategyNames()
{
    std::vector<std::string> names;
    for (const HeadScoreStrategy *s : headScoreStrategies())
        names.push_back(s->name());
    return names;
}

HeadScoreRun scoreHeads(const Checkpoint &checkpoint, const HeadScoreRequest &request, const JobContext &job,
                        const std::function<void(const AdaptationEpoch &)> &onEpoch)
{
    const HeadScoreStrategy *strategy = findHeadScoreStrategy(request.strategy);
    if (!strategy)
        throw std::invalid_argument("unknown strategy '" + request.strategy + "' (strategies: " +
                                    joined(headScoreStrategyNames()) + ")");
    if (request.adapter != "none" && !findAdapterKind(request.adapter))
        throw std::invalid_argument("unknown adapter '" + request.adapter + "' (adapters: " + adapterKindNames() + ", none)");
    checkOutput(request);
    TaskModel t = openTaskModel(checkpoint, request.task, request.dataRoot, request.config);
    if (!request.output.empty())
        t.model->hfConfigJson(); // refuses a layout Hugging Face's config cannot say, before any training

    HeadScoreRun run;
    torch::manual_seed(request.seed);
    FineTuneOptions options;
    options.epochs = request.epochs;
    options.seed = request.seed;
    options.learningRate = request.learningRate;
    const std::vector<torch::Tensor> trainable =
        prepareFineTuning(*t.model, request.epochs > 0 ? request.adapter : "none", adapterSpec(request.rank, request.experts));
    run.trainable = elementCount(trainable);
    const auto train = [&](int64_t firstEpoch) {
        if (trainable.empty())
            return;
        fineTune(t.vision(), trainable, t.train, t.validate, options,
                 [&](const EpochRecord &r) {
                     run.curve.push_back({firstEpoch + r.epoch, r.trainLoss, r.validationAccuracy});
                     if (onEpoch)
                         onEpoch(run.curve.back());
                 },
                 job);
    };
    train(0);
    run.validationAccuracy = accuracyOf(t.vision(), t.validate);
    run.scores = strategy->score(*t.model, t.train, request.seed, job);
    if (request.mask < 0)
        return run;
    const LabelledImages test = t.test();
    run.preview.before = predictedClasses(t.vision(), test, AdaptationRecord::kPreviewImages);
    run.preview.beforeTestAccuracy = accuracyOf(t.vision(), test);
    run.preview.beforeTrainable = run.trainable;
    run.masked = headsToMask(run.scores, request.mask, request.perLayer);
    maskHeads(*t.model, run.masked);
    train(request.epochs);
    run.maskedValidationAccuracy = accuracyOf(t.vision(), t.validate);
    run.testAccuracy = accuracyOf(t.vision(), test);
    run.preview.after = predictedClasses(t.vision(), test, AdaptationRecord::kPreviewImages);
    if (request.output.empty())
        return run;
    mergeAdapters(*t.model);
    const HeadPruning pruning = pruneHeads(t.vision(), run.masked);
    run.before = pruning.before;
    run.after = pruning.after;
    writeHfFolder(*t.model, request.output, /*factorized=*/false, {{"sculpt_heat", heatRecord(request, run)}}, {}, job);
    return run;
}

} // namespace sculpt
