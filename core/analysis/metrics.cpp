#include "analysis/metrics.h"

#include <algorithm>
#include <cmath>

namespace sculpt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A complete spectrum's curve ends at Σσ²/‖W‖_F², which rounding can leave a few ulps
// below 1; without this slack asking for all of the energy would report "never reached".
constexpr double kEnergySlack = 1e-12;

// exp of the Shannon entropy of p_i = σ_i / Σσ (Roy & Vetterli 2007): between 1 for a
// rank-one matrix and len for a flat spectrum. NaN when the distribution does not exist
// (zero spectrum) or the input is not a spectrum (negative or non-finite values).
double effectiveRank(std::span<const double> singularValues)
{
    double total = 0;
    for (double s : singularValues) {
        if (!(s >= 0) || !std::isfinite(s))
            return kNaN;
        total += s;
    }
    if (!(total > 0) || !std::isfinite(total))
        return kNaN;
    double entropy = 0;
    for (double s : singularValues) {
        if (s > 0) { // lim p→0 of p·ln p is 0
            const double p = s / total;
            entropy -= p * std::log(p);
        }
    }
    return std::exp(entropy);
}

double breakevenRank(int64_t rows, int64_t cols)
{
    if (rows <= 0 || cols <= 0)
        return 0;
    return static_cast<double>(rows) * static_cast<double>(cols) / (static_cast<double>(rows) + static_cast<double>(cols));
}

// Whether rank k still saves `ratio` of the rows·cols parameters, decided exactly:
// k(m+n) ≤ (1 − ratio)·m·n  ⇔  ratio·m·n ≤ spare with spare = m·n − k(m+n), an integer.
// ratio·m·n is split into its rounded product plus the exact rounding error (the fma
// trick), so the comparison never goes wrong at the boundary, e.g. 4096² at 0.5 → 1024.
bool savesAtLeast(int64_t rows, int64_t cols, long k, double ratio)
{
    const long double params = static_cast<long double>(rows * cols);
    const long double spare = static_cast<long double>(rows * cols - k * (rows + cols));
    const long double product = ratio * params;
    const long double error = std::fma(static_cast<long double>(ratio), params, -product);
    // Exact when spare and product are within a factor 2 of each other (Sterbenz); when
    // they are further apart its sign alone decides, and rounding keeps the sign.
    const long double margin = spare - product;
    return margin >= error;
}

} // namespace

std::vector<double> energyCurve(std::span<const double> singularValues, double frobeniusSquared)
{
    // A zero (or invalid) total makes every fraction 0/0: report that as NaN rather than
    // invent an answer, so no energy rank is claimed for a zero matrix.
    if (!(frobeniusSquared > 0))
        return std::vector<double>(singularValues.size(), kNaN);
    std::vector<double> curve;
    curve.reserve(singularValues.size());
    long double retained = 0; // long double so 16k small terms do not drift from ‖W‖_F²
    for (double s : singularValues) {
        retained += static_cast<long double>(s) * s;
        curve.push_back(static_cast<double>(retained / frobeniusSquared));
    }
    return curve;
}

long rankForEnergy(std::span<const double> curve, double fraction)
{
    if (fraction <= 0)
        return 0; // rank 0 keeps no energy, which is already enough
    const auto reached = std::find_if(curve.begin(), curve.end(),
                                      [&](double energy) { return energy >= fraction - kEnergySlack; });
    return reached == curve.end() ? -1 : static_cast<long>(reached - curve.begin()) + 1;
}

long rankForCompression(int64_t rows, int64_t cols, double ratio)
{
    // Shapes whose parameter count overflows int64 are not tensors; they and ratios above
    // 1 (saving more than everything) or NaN get rank 0.
    if (rows <= 0 || cols <= 0 || rows > std::numeric_limits<int64_t>::max() / cols)
        return 0;
    if (!(ratio <= 1))
        return 0;
    // A negative ratio would allow growing past W; the best that makes sense is breakeven.
    ratio = std::max(ratio, 0.0);

    // savesAtLeast is monotone in k and holds at k = 0; with ratio ≥ 0 it fails beyond the
    // breakeven rank m·n/(m+n), so binary-search the last k where it holds.
    long lo = 0;
    long hi = static_cast<long>(rows * cols / (rows + cols));
    while (lo < hi) {
        const long mid = lo + (hi - lo + 1) / 2;
        if (savesAtLeast(rows, cols, mid, ratio))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

SpectrumMetrics computeMetrics(std::span<const double> singularValues, int64_t rows, int64_t cols,
                               double frobeniusSquared, bool complete)
{
    SpectrumMetrics m;
    m.spectralNorm = singularValues.empty() ? 0 : singularValues.front();
    m.frobeniusNorm = std::sqrt(frobeniusSquared);
    const double topSquared = m.spectralNorm * m.spectralNorm;
    m.stableRank = topSquared == 0 ? 0 : frobeniusSquared / topSquared;
    if (complete)
        m.effectiveRank = effectiveRank(singularValues);

    const std::vector<double> curve = energyCurve(singularValues, frobeniusSquared);
    m.rank90 = rankForEnergy(curve, 0.90);
    m.rank95 = rankForEnergy(curve, 0.95);
    m.rank99 = rankForEnergy(curve, 0.99);
    m.breakevenRank = breakevenRank(rows, cols);

    // For a top-k preview this fits the largest eigenvalues only: the tail is what the
    // fit is about, but xmin cannot fall below the preview's smallest value.
    std::vector<double> eigenvalues(singularValues.size());
    std::transform(singularValues.begin(), singularValues.end(), eigenvalues.begin(),
                   [](double s) { return s * s; });
    m.alpha = fitPowerLaw(eigenvalues);
    return m;
}

} // namespace sculpt
