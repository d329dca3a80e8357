#pragma once
// A preview spectrum: the top-k singular values by randomized subspace iteration
// (Halko, Martinsson & Tropp 2011, algorithm 4.4 with LU in place of the intermediate
// QRs, and the a-posteriori bound of 4.3).

#include "job/job.h"

#include <cstdint>
#include <vector>

namespace sculpt {

struct RandomizedOptions {
    int oversampling = 10;    // extra directions beyond k: the capture improves quickly with a few
    int powerIterations = 1;  // each sharpens a slowly decaying spectrum at two more products
    int probes = 10;          // Gaussian probes for the error bound (it holds with probability 1 − 10⁻probes)
    uint64_t seed = 0;
};

struct TopSpectrum {
    std::vector<double> values; // the k largest singular values, descending
    // Bound on ‖W − QQᵀW‖₂ / σ_max: how much of W the captured subspace may miss.
    double relativeErrorBound = 0;
};

// `matrix` is row-major rows × cols float32; k is clamped to min(rows, cols).
TopSpectrum randomizedSingularValues(const float *matrix, int64_t rows, int64_t cols, int k,
                                     const RandomizedOptions &options = {}, const JobContext &job = {});

} // namespace sculpt
