#include "session/head_scores.h"

#include "adapt/adapters.h"
#include "adapt/fine_tune.h"
#include "adapt/head_scoring.h"
#include "session/task_model.h"

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
    TaskModel t = openTaskModel(checkpoint, request.task, request.dataRoot, request.config);

    HeadScoreRun run;
    torch::manual_seed(request.seed);
    FineTuneOptions options;
    options.epochs = request.epochs;
    options.seed = request.seed;
    options.learningRate = request.learningRate;
    const std::vector<torch::Tensor> trainable =
        prepareFineTuning(*t.model, request.epochs > 0 ? request.adapter : "none", request.rank);
    run.trainable = elementCount(trainable);
    if (!trainable.empty())
        fineTune(t.vision(), trainable, t.train, t.validate, options, {}, job);
    run.validationAccuracy = accuracyOf(t.vision(), t.validate);
    run.scores = strategy->score(*t.model, t.train, request.seed, job);
    if (request.mask < 0)
        return run;
    run.masked = headsToMask(run.scores, request.mask, request.perLayer);
    maskHeads(*t.model, run.masked);
    if (!trainable.empty())
        fineTune(t.vision(), trainable, t.train, t.validate, options, {}, job);
    run.maskedValidationAccuracy = accuracyOf(t.vision(), t.validate);
    run.testAccuracy = accuracyOf(t.vision(), t.test());
    return run;
}

} // namespace sculpt
