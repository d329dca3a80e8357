#include "heat/task_gradients.h"

#include <torch/torch.h>

namespace sculpt {
namespace {
constexpr int64_t kBatch = 64;
}

void backwardOverBatches(Model &model, const LabelledImages &data, const std::string &what, const JobContext &job,
                         const std::function<void(int64_t)> &before, const std::function<void()> &after)
{
    const int64_t n = data.count();
    if (n == 0)
        throw std::invalid_argument("head scores need labelled images");
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

HeadScores headScores(const std::string &strategy, const std::vector<torch::Tensor> &perLayer)
{
    HeadScores scores;
    scores.strategy = strategy;
    scores.layers = int64_t(perLayer.size());
    scores.heads = perLayer.empty() ? 0 : perLayer.front().numel();
    for (const torch::Tensor &row : perLayer) {
        if (row.numel() != scores.heads)
            throw std::invalid_argument("head scores need the same number of heads in every layer");
        const torch::Tensor values = row.to(torch::kFloat64).cpu().contiguous();
        scores.values.insert(scores.values.end(), values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
    }
    return scores;
}

} // namespace sculpt
