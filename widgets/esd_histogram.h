#pragma once
// The empirical spectral density (ESD) of a weight matrix: the histogram of its
// eigenvalues λ = σ² over log-spaced bins, and the fitted power law to draw over it. Plain
// C++ (no Qt) so the arithmetic is tested on its own.

#include "analysis/metrics.h"

#include <span>
#include <vector>

namespace sculpt {

struct EsdHistogram {
    std::vector<double> edges;   // bins + 1, log-spaced, ascending
    std::vector<long> counts;    // eigenvalues in [edges[i], edges[i+1]); the last bin holds its upper edge too
    std::vector<double> density; // counts[i] / (total · width of bin i): integrates to 1 over the bins
    long total = 0;              // the eigenvalues binned: the positive, finite ones
    long ignored = 0;            // zero or non-finite eigenvalues, which a log axis cannot place
};

// Bins for n eigenvalues: the Rice rule 2·∛n, kept within [8, 80] so a small matrix still
// shows a shape and a large one stays readable.
int esdBinCount(long eigenvalues);

// The histogram of λ = σ² for `singularValues` (any order) over `bins` bins spaced evenly
// in log λ from the smallest positive λ to the largest. All λ equal: one bin a factor of
// two wide around them. No positive λ: no bins.
EsdHistogram esdHistogram(std::span<const double> singularValues, int bins);

// The fitted power law as a density over all `total` eigenvalues: the tail holds
// fit.tailSize of them, so p(λ) = (tailSize/total)·(α−1)/x_min·(λ/x_min)^(−α) for λ ≥ x_min,
// whose integral over [x_min, ∞) is the tail's share. NaN below x_min or without a fit.
double powerLawDensity(const PowerLawFit &fit, long total, double lambda);

} // namespace sculpt
