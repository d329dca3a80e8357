#pragma once
// What a singular spectrum says about a matrix: its size, how much of it matters, and
// how heavy-tailed it is. Each metric is explained in the README ("Spectral metrics").

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace sculpt {

// A power law p(λ) ∝ λ^(−alpha) for λ ≥ xmin, fitted to the eigenvalues λ = σ² by maximum
// likelihood with xmin chosen by minimum Kolmogorov–Smirnov distance (Clauset, Shalizi &
// Newman 2009; the method WeightWatcher uses).
struct PowerLawFit {
    double alpha = std::numeric_limits<double>::quiet_NaN();
    double xmin = std::numeric_limits<double>::quiet_NaN();
    double ks = std::numeric_limits<double>::quiet_NaN(); // KS distance of the chosen fit
    long tailSize = 0;                                     // eigenvalues ≥ xmin
    bool valid() const { return tailSize > 0; }
};

// `eigenvalues` in any order; non-positive and non-finite ones are ignored. Candidate xmin
// are the distinct values with at least `minTail` values ≥ them (the largest value never
// is: its tail has nothing above xmin). The KS distance compares the fitted CDF with both
// sides of each step of the empirical CDF. No fit (tailSize 0) when fewer than `minTail`
// positive eigenvalues exist, or when they do not take two distinct values.
PowerLawFit fitPowerLaw(std::span<const double> eigenvalues, long minTail = 10);

struct SpectrumMetrics {
    double spectralNorm = 0;   // σ_max
    double frobeniusNorm = 0;  // sqrt(Σ σ²), from the matrix itself for partial spectra
    double stableRank = 0;     // ‖W‖_F² / σ_max²
    double effectiveRank = std::numeric_limits<double>::quiet_NaN(); // exp(entropy of σ/Σσ); complete spectra only
    long rank90 = -1, rank95 = -1, rank99 = -1; // smallest k keeping that energy; -1 when a partial spectrum never reaches it
    double breakevenRank = 0;  // m·n/(m+n): above it a rank-k factorisation stores more than W
    PowerLawFit alpha;         // of λ = σ²; for a partial spectrum, of its top-k values only
};

// `singularValues` descending. `complete` is false for a top-k preview, whose energy is
// measured against the true ‖W‖_F² given as `frobeniusSquared`.
SpectrumMetrics computeMetrics(std::span<const double> singularValues, int64_t rows, int64_t cols,
                               double frobeniusSquared, bool complete);

// Energy retained by the best rank-k approximation, k = 1 … len: Σ_{i≤k} σ_i² / ‖W‖_F².
// All NaN when `frobeniusSquared` is not positive (a zero matrix has no energy to keep).
std::vector<double> energyCurve(std::span<const double> singularValues, double frobeniusSquared);

// Smallest k whose energy reaches `fraction` (within 1e-12, so a complete spectrum whose
// curve ends an ulp short of 1 still reaches 1), or -1 when the curve never does. 0 for
// fraction ≤ 0.
long rankForEnergy(std::span<const double> curve, double fraction);

// Largest rank k whose factorisation W ≈ A·B (m·k + k·n values) still saves `ratio` of the
// parameters: 1 − k(m+n)/(m·n) ≥ ratio, decided exactly for the given double `ratio`.
// 0 when even rank 1 saves less, and for ratio > 1, NaN, non-positive dimensions or
// m·n beyond int64; a negative ratio counts as 0 (the breakeven rank, never beyond).
long rankForCompression(int64_t rows, int64_t cols, double ratio);

} // namespace sculpt
