#include "adapt/task_loss.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sculpt {
namespace {
constexpr int64_t kBatch = 64;
}

void backwardOverBatches(Model &model, const LabelledImages &data, const std::string &what, const JobContext &job,
                         const std::function<void(int64_t)> &before, const std::function<void()> &after)
{
    const int64_t n = data.count();
    if (n == 0)
        throw std::invalid_argument(what + " need labelled images");
    for (int64_t first = 0; first < n; first += kBatch) {
        job.checkCancelled();
        job.report(long(first), long(n), what);
        const int64_t count = std::min(kBatch, n - first);
        if (before)
            before(count);
        const torch::Tensor logits = model.forward(ModelInput::ofPixels(data.pixels.narrow(0, first, count))).logits;
        torch::nn::functional::cross_entropy(logits, data.labels.narrow(0, first, count),
                                             torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .backward();
        if (after)
            after();
    }
}

} // namespace sculpt
