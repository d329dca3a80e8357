#include "esd_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sculpt {

int esdBinCount(long eigenvalues)
{
    const double rice = 2 * std::cbrt(double(std::max(eigenvalues, 0L)));
    return std::clamp(int(std::ceil(rice)), 8, 80);
}

EsdHistogram esdHistogram(std::span<const double> singularValues, int bins)
{
    EsdHistogram h;
    std::vector<double> lambdas;
    lambdas.reserve(singularValues.size());
    for (double sigma : singularValues) {
        const double lambda = sigma * sigma;
        if (lambda > 0 && std::isfinite(lambda))
            lambdas.push_back(lambda);
        else
            ++h.ignored;
    }
    if (lambdas.empty() || bins < 1)
        return h;
    const auto [lowest, highest] = std::minmax_element(lambdas.begin(), lambdas.end());
    double low = *lowest, high = *highest;
    if (low == high) {
        low /= std::sqrt(2.0);
        high *= std::sqrt(2.0);
        bins = 1;
    }
    const double logLow = std::log(low), logSpan = std::log(high) - logLow;
    h.edges.resize(size_t(bins) + 1);
    for (int i = 0; i <= bins; ++i)
        h.edges[size_t(i)] = std::exp(logLow + logSpan * double(i) / double(bins));
    h.edges.front() = low; // exact ends, so the extreme values fall inside
    h.edges.back() = high;

    h.counts.assign(size_t(bins), 0);
    for (double lambda : lambdas) {
        // Rounding in the log may put a value one bin off its edge; the edges decide.
        auto bin = size_t(std::clamp(int(double(bins) * (std::log(lambda) - logLow) / logSpan), 0, bins - 1));
        while (bin > 0 && lambda < h.edges[bin])
            --bin;
        while (bin + 1 < size_t(bins) && lambda >= h.edges[bin + 1])
            ++bin;
        ++h.counts[bin];
    }
    h.total = long(lambdas.size());
    h.density.resize(size_t(bins));
    for (size_t i = 0; i < size_t(bins); ++i)
        h.density[i] = double(h.counts[i]) / (double(h.total) * (h.edges[i + 1] - h.edges[i]));
    return h;
}

double powerLawDensity(const PowerLawFit &fit, long total, double lambda)
{
    if (!fit.valid() || total <= 0 || !(lambda >= fit.xmin))
        return std::numeric_limits<double>::quiet_NaN();
    const double share = double(fit.tailSize) / double(total);
    return share * (fit.alpha - 1) / fit.xmin * std::pow(lambda / fit.xmin, -fit.alpha);
}

} // namespace sculpt
