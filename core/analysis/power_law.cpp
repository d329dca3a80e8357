#include "analysis/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace sculpt {
namespace {

// The sample the fit sees: positive, finite, ascending.
std::vector<double> positiveSorted(std::span<const double> values)
{
    std::vector<double> kept;
    kept.reserve(values.size());
    for (double v : values)
        if (v > 0 && std::isfinite(v))
            kept.push_back(v);
    std::sort(kept.begin(), kept.end());
    return kept;
}

// The logs of the sorted sample and their suffix sums, so that for a tail starting at i
// Σ ln(x_j / x_i) = suffix[i] − n·ln x_i costs O(1). Long double because that difference
// cancels heavily when the tail sits close to xmin.
struct LogTable {
    std::vector<long double> logs;
    std::vector<long double> suffix; // suffix[i] = Σ_{j ≥ i} logs[j]; one extra 0 at the end

    explicit LogTable(const std::vector<double> &sorted)
        : logs(sorted.size()), suffix(sorted.size() + 1, 0.0L)
    {
        for (std::size_t i = 0; i < sorted.size(); ++i)
            logs[i] = std::log(static_cast<long double>(sorted[i]));
        for (std::size_t i = sorted.size(); i-- > 0;)
            suffix[i] = suffix[i + 1] + logs[i];
    }
};

// Kolmogorov–Smirnov distance between the tail sorted[start…] and the fitted CDF
// P(x) = 1 − (x/xmin)^(1−alpha). The empirical CDF steps from t/n to (t+1)/n at the t-th
// tail point, and the supremum can sit on either side of a step, so both are compared
// (ties are covered: the outermost sides of a run of equal values are both visited).
// Stops as soon as the distance exceeds `giveUpAbove`: that candidate has already lost.
double ksDistance(const LogTable &table, std::size_t start, double alpha, double giveUpAbove)
{
    const std::size_t n = table.logs.size() - start;
    const long double logXmin = table.logs[start];
    double distance = 0;
    for (std::size_t t = 0; t < n; ++t) {
        const double logRatio = static_cast<double>(table.logs[start + t] - logXmin);
        const double fitted = -std::expm1((1 - alpha) * logRatio); // 1 − (x/xmin)^(1−alpha)
        const double below = static_cast<double>(t) / static_cast<double>(n);
        const double above = static_cast<double>(t + 1) / static_cast<double>(n);
        distance = std::max({distance, std::abs(fitted - below), std::abs(above - fitted)});
        if (distance > giveUpAbove)
            break;
    }
    return distance;
}

} // namespace

PowerLawFit fitPowerLaw(std::span<const double> eigenvalues, long minTail)
{
    const std::vector<double> sorted = positiveSorted(eigenvalues);
    const std::size_t count = sorted.size();
    const std::size_t needed = static_cast<std::size_t>(std::max(minTail, 1L));
    PowerLawFit best;
    if (count < needed)
        return best;

    const LogTable table(sorted);
    // Candidates are the distinct values whose tail is long enough; `i` is the first
    // occurrence of each. The largest value is never a candidate: its tail is all equal
    // to xmin, Σ ln(x/xmin) = 0 and alpha would be infinite.
    for (std::size_t i = 0; i + needed <= count && sorted[i] < sorted.back(); ++i) {
        if (i > 0 && sorted[i] == sorted[i - 1])
            continue;
        const std::size_t n = count - i;
        const long double logSum = table.suffix[i] - static_cast<long double>(n) * table.logs[i];
        const double alpha = 1 + static_cast<double>(n / logSum);
        // logSum > 0 whenever the tail holds a value above xmin; only rounding, for values
        // a few ulps apart, can make it 0, negative, or so small that alpha overflows.
        if (!(logSum > 0) || !std::isfinite(alpha))
            continue;
        const double giveUpAbove = best.valid() ? best.ks : std::numeric_limits<double>::infinity();
        const double distance = ksDistance(table, i, alpha, giveUpAbove);
        // Strictly smaller: among equal distances the first, i.e. the longest tail, wins.
        if (distance < giveUpAbove) {
            best.alpha = alpha;
            best.xmin = sorted[i];
            best.ks = distance;
            best.tailSize = static_cast<long>(n);
        }
    }
    return best;
}

} // namespace sculpt
