#pragma once
// The one definition of "how much a pass removed", used by every pass, the CLI, the window
// and the benchmark: a layer kept at rank k is stored as two factors, k·(m+n) numbers, unless
// that is no smaller than the dense m·n, in which case it stays dense.

#include <cstdint>
#include <span>

namespace sculpt {

struct LayerSize {
    int64_t rows = 0, cols = 0; // W [rows, cols]
    int64_t rank = 0;           // components kept
};

// m·n/(m+n), rounded down: at this rank or above, factors cost at least the dense matrix.
int64_t breakEvenRank(int64_t rows, int64_t cols);
bool staysDense(const LayerSize &layer);
// Numbers stored for the layer: k·(m+n), or m·n when it stays dense.
int64_t storedParameters(const LayerSize &layer);
// 1 − Σ stored / Σ m·n over `layers`.
double ratioRemoved(std::span<const LayerSize> layers);
// The largest rank whose factors remove at least `ratio` of an m×n layer (0 when none does),
// decided exactly as the spectra's rankForCompression does; full rank, dense, for a ratio ≤ 0.
int64_t rankForRatio(int64_t rows, int64_t cols, double ratio);

} // namespace sculpt
