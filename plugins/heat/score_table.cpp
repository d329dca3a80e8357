#include "heat/score_table.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sculpt {

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
