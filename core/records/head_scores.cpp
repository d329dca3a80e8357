#include "records/head_scores.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace sculpt {
namespace {

// ⌊p·n⌋, forgiving the rounding of p itself: 0.29 · 100 is 28.999999999999996 in doubles,
// and a slider at 29 % must mask 29 of 100 heads.
int64_t share(double p, int64_t n) { return int64_t(std::floor(p * double(n) + 1e-9)); }

// Ranks 1… to the heads first … first + count - 1 (row-major indices), most important first.
void rankRange(const HeadScores &scores, size_t first, size_t count, std::vector<int64_t> &ranks)
{
    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), first);
    // Row-major index order is (layer, head) order: among equal scores the later head ranks higher.
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return scores.values[a] != scores.values[b] ? scores.values[a] > scores.values[b] : a > b;
    });
    for (size_t position = 0; position < count; ++position)
        ranks[order[position]] = int64_t(position) + 1;
}

} // namespace

void checkHeadScores(const HeadScores &scores)
{
    if (scores.layers < 0 || scores.heads < 0)
        throw std::invalid_argument("head scores: negative layer or head count");
    if (scores.layers > 0 && scores.heads > std::numeric_limits<int64_t>::max() / scores.layers)
        throw std::invalid_argument("head scores: too many heads");
    if (scores.values.size() != size_t(scores.layers * scores.heads))
        throw std::invalid_argument("head scores: " + std::to_string(scores.values.size()) + " values for " +
                                    std::to_string(scores.layers) + " layers × " + std::to_string(scores.heads) +
                                    " heads");
    if (std::any_of(scores.values.begin(), scores.values.end(), [](double v) { return std::isnan(v); }))
        throw std::invalid_argument("head scores: a score is NaN");
}

std::vector<int64_t> headRanks(const HeadScores &scores, bool perLayer)
{
    checkHeadScores(scores);
    std::vector<int64_t> ranks(scores.values.size());
    if (perLayer)
        for (int64_t layer = 0; layer < scores.layers; ++layer)
            rankRange(scores, size_t(layer * scores.heads), size_t(scores.heads), ranks);
    else
        rankRange(scores, 0, ranks.size(), ranks);
    return ranks;
}

std::vector<LayerHead> headsToMask(const HeadScores &scores, double p, bool perLayer)
{
    if (!(p >= 0 && p <= 1))
        throw std::invalid_argument("head mask: the fraction " + std::to_string(p) + " is outside [0, 1]");
    const std::vector<int64_t> ranks = headRanks(scores, perLayer);
    const int64_t ranked = perLayer ? scores.heads : scores.layers * scores.heads;
    const int64_t kept = ranked - share(p, ranked);
    std::vector<LayerHead> masked;
    for (int64_t layer = 0; layer < scores.layers; ++layer)
        for (int64_t head = 0; head < scores.heads; ++head)
            if (ranks[size_t(layer * scores.heads + head)] > kept)
                masked.emplace_back(layer, head);
    return masked;
}

} // namespace sculpt
