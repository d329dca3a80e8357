#pragma once
// What truncating a matrix to rank k keeps: the numbers behind the spectrum plot's rank
// cursor. Plain C++ (no Qt) so the arithmetic is tested on its own.

#include <cstdint>
#include <limits>
#include <span>

namespace sculpt {

struct RankCut {
    long rank = 0;                // k, within [0, min(m, n)]
    int64_t rows = 0, cols = 0;   // m, n
    int64_t parameters = 0;       // m·n: the matrix as stored
    int64_t parametersKept = 0;   // k(m+n): the factors of W ≈ A·B, A m×k and B k×n
    double compressionRatio = 0;  // 1 − k(m+n)/(m·n); negative above the break-even rank
    double breakevenRank = 0;     // m·n/(m+n): where the factors stop saving anything
    // Σ_{i≤k} σ_i² / ‖W‖²_F; NaN when a top-k preview stops before k (or ‖W‖ is 0).
    double energyRetained = std::numeric_limits<double>::quiet_NaN();
};

// `singularValues` descending, possibly only the largest few (a preview), with the
// matrix's true ‖W‖²_F. `rank` is clamped into [0, min(m, n)].
RankCut cutAtRank(std::span<const double> singularValues, int64_t rows, int64_t cols, double frobeniusSquared,
                  long rank);

// The largest k whose cut saves at least `ratio` of the parameters, in [0, min(m, n)].
// A negative ratio (storing more than W) allows ranks beyond the break-even, which the
// passes' rankForRatio (compress/ratio.h) does not: the cursor may show what they never cut.
long cursorRankForRatio(int64_t rows, int64_t cols, double ratio);

} // namespace sculpt
