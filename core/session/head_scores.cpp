#include "session/head_scores.h"

#include "adapt/adapters.h"
#include "adapt/fine_tune.h"
#include "adapt/head_scoring.h"
#include "data/image_task.h"
#include "runtime/model_family.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sculpt {

std::vector<std::string> headScoreStrategyNames()
{
    std::vector<std::string> names;
    for (const HeadScoreStrategy *s : headScoreStrategies())
        names.push_back(s->name());
    return names;
}

HeadScoreRun scoreHeads(const Checkpoint &checkpoint, const HeadScoreRequest &request, const JobContext &job)
{
    const HeadScoreStrategy *strategy = findHeadScoreStrategy(request.strategy);
    if (!strategy) {
        std::string names;
        for (const std::string &n : headScoreStrategyNames())
            names += (names.empty() ? "" : ", ") + n;
        throw std::invalid_argument("unknown strategy '" + request.strategy + "' (strategies: " + names + ")");
    }
    if (request.adapter != "lora" && request.adapter != "bottleneck" && request.adapter != "none")
        throw std::invalid_argument("unknown adapter '" + request.adapter + "': lora, bottleneck or none");
    const ImageTask task = loadTask(request.task, request.dataRoot); // before the model: a missing file fails fast
    const std::unique_ptr<Model> model =
        loadModel(checkpoint, ModelKind::Vision, torch::kCPU, ModelOptions{request.config});
    auto &vision = static_cast<VisionModel &>(*model);
    const LabelledImages train = labelledImages(vision, task.train, task.trainLabels);
    const LabelledImages validate = labelledImages(vision, task.validate, task.validateLabels);

    HeadScoreRun run;
    torch::manual_seed(request.seed);
    std::vector<torch::Tensor> trainable;
    FineTuneOptions options;
    options.epochs = request.epochs;
    options.seed = request.seed;
    options.learningRate = request.learningRate;
    const bool tunes = request.adapter != "none" && request.epochs > 0;
    if (tunes) {
        AdapterSpec spec;
        spec.kind = request.adapter;
        spec.rank = request.rank;
        trainable = attachAdapters(*model, spec);
        for (const torch::Tensor &t : classifierTensors(*model))
            trainable.push_back(t);
        run.trainable = elementCount(trainable);
        fineTune(vision, trainable, train, validate, options, {}, job);
    }
    run.validationAccuracy = accuracyOf(vision, validate);
    run.scores = strategy->score(*model, train, request.seed, job);
    if (request.mask < 0)
        return run;
    run.masked = headsToMask(run.scores, request.mask, request.perLayer);
    maskHeads(*model, run.masked);
    if (tunes)
        fineTune(vision, trainable, train, validate, options, {}, job);
    run.maskedValidationAccuracy = accuracyOf(vision, validate);
    run.testAccuracy = accuracyOf(vision, labelledImages(vision, task.test, task.testLabels));
    return run;
}

} // namespace sculpt
