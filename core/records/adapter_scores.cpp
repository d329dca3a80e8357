#include "records/adapter_scores.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace sculpt {
namespace {

// Weakest first: the lowest score, and among equal scores the later position.
std::vector<size_t> weakestFirst(const std::vector<AdapterScore> &scores)
{
    for (const AdapterScore &s : scores)
        if (std::isnan(s.score))
            throw std::invalid_argument("the score of adapter " + s.position.site + " is NaN");
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return scores[a].score < scores[b].score || (scores[a].score == scores[b].score && a > b);
    });
    return order;
}

} // namespace

std::vector<bool> weakestAdapters(const std::vector<AdapterScore> &scores, double p)
{
    if (!(p >= 0 && p <= 1))
        throw std::invalid_argument("the fraction of adapters to prune must lie in [0, 1]");
    const std::vector<size_t> order = weakestFirst(scores);
    std::vector<bool> pruned(scores.size(), false);
    // ⌊p·N⌋, forgiving p's own rounding (0.29 · 100 is 28.999999999999996 in doubles).
    const auto count = size_t(std::floor(p * double(scores.size()) + 1e-9));
    for (size_t k = 0; k < count; ++k)
        pruned[order[k]] = true;
    return pruned;
}

std::vector<int64_t> adapterRanks(const std::vector<AdapterScore> &scores)
{
    const std::vector<size_t> order = weakestFirst(scores);
    std::vector<int64_t> ranks(scores.size());
    for (size_t k = 0; k < order.size(); ++k)
        ranks[order[k]] = int64_t(order.size() - k);
    return ranks;
}

void checkAdapterSharing(const AdapterSharing &sharing, size_t count)
{
    if (sharing.pruned.size() != count || sharing.servedBy.size() != count)
        throw std::invalid_argument("the sharing plan covers " + std::to_string(sharing.pruned.size()) +
                                    " positions, the scores " + std::to_string(count));
    for (size_t i = 0; i < count; ++i) {
        const int64_t server = sharing.servedBy[i];
        if (server == -1)
            continue;
        if (!sharing.pruned[i] || server < 0 || size_t(server) >= count || sharing.pruned[size_t(server)])
            throw std::invalid_argument("position " + std::to_string(i) + " is served by " + std::to_string(server) +
                                        ": only a pruned position is served, and only by a kept one");
    }
}

} // namespace sculpt
