#include "analysis/spectrum_shards.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <stdexcept>
#include <utility>

namespace sculpt {

double spectrumCost(const MatrixShape &shape)
{
    return double(shape.rows) * double(shape.cols) * double(std::min(shape.rows, shape.cols));
}

std::vector<SpectrumShard> dealShards(std::vector<NamedMatrix> matrices, int count)
{
    if (count < 1)
        throw std::invalid_argument("a model splits into at least one shard, not " + std::to_string(count));
    std::sort(matrices.begin(), matrices.end(), [](const NamedMatrix &a, const NamedMatrix &b) {
        const double ca = spectrumCost(a.shape), cb = spectrumCost(b.shape);
        return ca != cb ? ca > cb : a.name < b.name;
    });
    std::vector<SpectrumShard> shards(static_cast<size_t>(count));
    // (cost so far, shard): the smallest on top, the lowest index among equal costs.
    using Load = std::pair<double, int>;
    std::priority_queue<Load, std::vector<Load>, std::greater<>> least;
    for (int s = 0; s < count; ++s)
        least.emplace(0.0, s);
    for (NamedMatrix &m : matrices) {
        const auto [cost, s] = least.top();
        least.pop();
        SpectrumShard &shard = shards[size_t(s)];
        shard.matrices.push_back(std::move(m.name));
        shard.cost = cost + spectrumCost(m.shape);
        least.emplace(shard.cost, s);
    }
    return shards;
}

SpectrumShard shardOf(std::vector<NamedMatrix> matrices, ShardSpec spec)
{
    if (spec.index < 1 || spec.index > spec.count)
        throw std::invalid_argument("no shard " + std::to_string(spec.index) + " of " + std::to_string(spec.count));
    // Shards fill from the first, so with more shards than matrices only the first ones get any.
    const size_t reached = std::min(size_t(spec.count), matrices.size());
    if (size_t(spec.index) > reached)
        return {};
    return dealShards(std::move(matrices), int(reached))[size_t(spec.index) - 1];
}

} // namespace sculpt
