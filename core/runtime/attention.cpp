#include "runtime/attention.h"

#include "runtime/mac_count.h"

#include <limits>

namespace sculpt {

AttentionMask causalMask(int64_t length, int64_t start, int64_t group, torch::Device device)
{
    if (length <= 1)
        return {};
    // Stacked once per query head of a group: the group's queries meet their shared keys in
    // one product, which also scales and masks.
    return {torch::full({length, start + length}, -std::numeric_limits<float>::infinity(),
                        torch::TensorOptions().dtype(torch::kFloat32).device(device))
                .triu(start + 1)
                .repeat({group, 1})};
}

AttentionMask documentMask(const torch::Tensor &documents, int64_t kvHeads, int64_t group)
{
    const int64_t b = documents.size(0), t = documents.size(1);
    const auto bools = torch::TensorOptions().dtype(torch::kBool).device(documents.device());
    const torch::Tensor causal = torch::ones({t, t}, bools).tril();
    const torch::Tensor same = documents.unsqueeze(2).eq(documents.unsqueeze(1));
    const torch::Tensor self = torch::eye(t, bools).unsqueeze(0);
    const torch::Tensor padding = documents.lt(0).unsqueeze(2);
    const torch::Tensor sees = same.logical_and(causal).logical_and(padding.logical_not()).logical_or(self.logical_and(padding));
    const torch::Tensor additive = torch::zeros({b, t, t}, torch::TensorOptions().dtype(torch::kFloat32).device(documents.device()))
                                       .masked_fill(sees.logical_not(), -std::numeric_limits<float>::infinity());
    return {additive.view({b, 1, 1, t, t}).expand({b, kvHeads, group, t, t}).reshape({b * kvHeads, group * t, t})};
}

AttentionMask keyMask(const torch::Tensor &visible, int64_t heads)
{
    const int64_t b = visible.size(0), s = visible.size(1);
    const torch::Tensor additive = torch::zeros({b, s}, torch::TensorOptions().dtype(torch::kFloat32).device(visible.device()))
                                       .masked_fill(visible.logical_not(), -std::numeric_limits<float>::infinity());
    return {additive.view({b, 1, 1, s}).expand({b, heads, 1, s}).reshape({b * heads, 1, s})};
}

torch::Tensor attend(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v, const AttentionMask &mask,
                     double scale, const torch::Tensor &gate)
{
    const int64_t b = q.size(0), heads = q.size(1), t = q.size(2), d = q.size(3);
    if (heads == 0) // every head removed: the block's attention adds only its output's bias
        return q.new_zeros({b, t, 0});
    const int64_t kvHeads = k.size(1), s = k.size(2), group = heads / kvHeads;
    MacCount::add(2 * b * heads * t * s * d); // q·kᵀ and the weights times v, masked keys included
    const torch::Tensor grouped = q.reshape({b * kvHeads, group * t, d});
    const torch::Tensor keys = k.reshape({b * kvHeads, s, d}).transpose(1, 2);
    const torch::Tensor scores = mask.scores.defined() ? torch::baddbmm(mask.scores, grouped, keys, 1, scale)
                                                       : torch::matmul(grouped, keys) * scale;
    torch::Tensor out = torch::matmul(scores.softmax(-1), v.reshape({b * kvHeads, s, d})).view({b, heads, t, d});
    if (gate.defined())
        out = out * (gate.dim() == 1 ? gate.view({1, heads, 1, 1}) : gate.view({b, heads, 1, 1}));
    return out.transpose(1, 2).reshape({b, t, heads * d});
}

torch::Tensor documentPositions(const torch::Tensor &documents)
{
    // A position's index minus the index where its document's run began.
    const int64_t t = documents.size(1);
    const torch::Tensor index = torch::arange(t, documents.options()).expand_as(documents);
    torch::Tensor starts = torch::ones_like(documents, torch::kBool);
    if (t > 1)
        starts.narrow(1, 1, t - 1).copy_(documents.narrow(1, 1, t - 1).ne(documents.narrow(1, 0, t - 1)));
    const torch::Tensor runStart = std::get<0>(torch::where(starts, index, torch::zeros_like(index)).cummax(1));
    return index - runStart;
}

} // namespace sculpt
