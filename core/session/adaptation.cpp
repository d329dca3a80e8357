#include "session/adaptation.h"

#include "adapt/adapters.h"
#include "session/task_model.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sculpt {

AdaptRun adapt(const Checkpoint &checkpoint, const AdaptRequest &request, const JobContext &job,
               const std::function<void(const AdaptEpoch &)> &onEpoch)
{
    if (request.method == "none")
        throw std::invalid_argument("adapt needs a method: linear, full, lora or bottleneck");
    TaskModel t = openTaskModel(checkpoint, request.task, request.dataRoot, request.config);
    torch::manual_seed(request.seed);
    const std::vector<torch::Tensor> trainable = prepareFineTuning(*t.model, request.method, request.rank);
    AdaptRun run;
    run.trainable = elementCount(trainable);
    FineTuneOptions options;
    options.epochs = request.epochs;
    options.seed = request.seed;
    options.learningRate = request.learningRate;
    fineTune(t.vision(), trainable, t.train, t.validate, options,
             [&](const EpochRecord &r) {
                 run.epochs.push_back({r.epoch, r.epochs, r.trainLoss, r.validationAccuracy});
                 if (onEpoch)
                     onEpoch(run.epochs.back());
             },
             job);
    run.testAccuracy = accuracyOf(t.vision(), t.test());
    return run;
}

} // namespace sculpt
