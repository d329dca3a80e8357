#include "session/adapter_pruning.h"

#include "adapt/adapter_importance.h"
#include "adapt/adapter_kinds.h"
#include "adapt/adapter_pruning.h"
#include "adapt/adapters.h"
#include "adapt/expert_routing.h"
#include "adapt/peft.h"
#include "io/checkpoint.h"
#include "io/export_folder.h"
#include "io/joined.h"
#include "session/task_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace sculpt {
namespace {

const AdapterPruning &methodOf(const PruneAdaptersRequest &request)
{
    const AdapterPruning *method = findAdapterPruning(request.method);
    if (!method)
        throw std::invalid_argument("unknown adapter pruning '" + request.method + "' (methods: " +
                                    joined(adapterPruningNames()) + ")");
    const std::vector<std::string> rules = method->shareRules();
    if (request.share != "none" && std::find(rules.begin(), rules.end(), request.share) == rules.end())
        throw std::invalid_argument("unknown share rule '" + request.share + "' (rules: " + joined(rules) + ", none)");
    if (!(request.prune >= 0 && request.prune <= 1))
        throw std::invalid_argument("the fraction of adapters to prune must lie in [0, 1]");
    if (request.warmup < 1)
        throw std::invalid_argument("adapters are scored after at least one epoch of warm-up (a new LoRA scores 0)");
    if (!findAdapterKind(request.adapter))
        throw std::invalid_argument("unknown adapter '" + request.adapter + "' (adapters: " + adapterKindNames() + ")");
    return *method;
}

} // namespace

std::vector<std::string> adapterPruningNames()
{
    std::vector<std::string> names;
    for (const AdapterPruning *m : adapterPrunings())
        names.push_back(m->name());
    return names;
}

std::vector<std::string> shareRulesOf(const std::string &method)
{
    const AdapterPruning *m = findAdapterPruning(method);
    return m ? m->shareRules() : std::vector<std::string>{};
}

PruneAdaptersRun pruneAdapters(const Checkpoint &checkpoint, const PruneAdaptersRequest &request,
                               const JobContext &job, const std::function<void(const AdaptationEpoch &)> &onEpoch)
{
    const AdapterPruning &method = methodOf(request);
    if (!request.output.empty())
        ExportFolder::checkWritable(request.output);
    TaskModel t = openTaskModel(checkpoint, request.task, request.dataRoot, request.config);
    torch::manual_seed(request.seed);
    const std::vector<torch::Tensor> warm =
        prepareFineTuning(*t.model, request.adapter, adapterSpec(request.rank, request.experts));
    if (!request.output.empty())
        checkPeftWritable(*t.model); // LoRA or Lily on whole modules only

    PruneAdaptersRun run;
    FineTuneOptions options;
    options.seed = request.seed;
    options.learningRate = request.learningRate;
    const auto train = [&](const std::vector<torch::Tensor> &trainable, int epochs, int64_t firstEpoch) {
        if (epochs == 0) // pruned and measured as it is
            return;
        options.epochs = epochs;
        fineTune(t.vision(), trainable, t.train, t.validate, options,
                 [&](const EpochRecord &r) {
                     run.curve.push_back({firstEpoch + r.epoch, r.trainLoss, r.validationAccuracy});
                     if (onEpoch)
                         onEpoch(run.curve.back());
                 },
                 job);
    };
    train(warm, request.warmup, 0);
    run.validationAccuracy = accuracyOf(t.vision(), t.validate);
    const LabelledImages test = t.test();
    run.preview.before = predictedClasses(t.vision(), test, AdaptationRecord::kPreviewImages);
    run.preview.beforeTestAccuracy = accuracyOf(t.vision(), test);
    run.preview.beforeTrainable = elementCount(warm);
    run.adapterParametersBefore = elementCount(storedAdapterTensors(*t.model));

    run.scores = adapterImportance(*t.model, t.train, job);
    PruneSettings settings;
    settings.fraction = request.prune;
    settings.share = request.share;
    settings.knowledgeCheckpoint = request.knowledgeCheckpoint;
    run.sharing = method.prune(*t.model, run.scores, settings, t.train, job);
    run.prunedValidationAccuracy = accuracyOf(t.vision(), t.validate);
    run.adapterParametersAfter = elementCount(storedAdapterTensors(*t.model));

    // The kept adapters, the new scales and the classifier train on: adapterTensors holds the
    // scales of shared positions beside the kept adapters' own tensors.
    std::vector<torch::Tensor> trainable = adapterTensors(*t.model);
    for (const torch::Tensor &c : classifierTensors(*t.model))
        trainable.push_back(c);
    run.trainable = elementCount(trainable);
    train(trainable, request.epochs, request.warmup);
    run.finalValidationAccuracy = accuracyOf(t.vision(), t.validate);
    run.testAccuracy = accuracyOf(t.vision(), test);
    run.preview.after = predictedClasses(t.vision(), test, AdaptationRecord::kPreviewImages);
    run.routing = expertRouting(*t.model, test);
    if (!request.output.empty()) // absolute: PEFT reads a relative base path from where it runs
        writePeft(*t.model, request.output, std::filesystem::absolute(checkpoint.path()).lexically_normal().string());
    return run;
}

} // namespace sculpt
