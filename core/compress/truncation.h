#pragma once
// Truncated SVD in a weighted norm, the step every SVD baseline shares: they differ only in
// how they weigh the rows (outputs) and transform the columns (inputs) of W before truncating.
// Torch inside: for pass plugins' .cpp files only.

#include "runtime/linear.h"

#include <torch/types.h>

#include <vector>

namespace sculpt {

struct Weighting {
    torch::Tensor rows;  // r [out] > 0, or undefined: every output counts the same
    torch::Tensor input; // T: [in] (diagonal) or [in, in] lower-triangular and invertible, or undefined
};

struct Truncation {
    Linear::Factors factors;          // A [out, k], B [k, in]
    std::vector<float> singularValues; // every σ of diag(r)·W·T, descending
};

// The rank-k A·B minimising ‖diag(r)·(W − A·B)·T‖_F: the SVD of diag(r)·W·T truncated to k
// (in float64), with the weights undone on the factors (A = diag(r)⁻¹·U_k·Σ_k,
// B = V_kᵀ·T⁻¹), so A·B approximates W itself.
Truncation truncate(const torch::Tensor &weight, int64_t rank, const Weighting &weighting = {});

// The SVD of diag(r)·W·T without truncating, as SoCo starts from: W = A·diag(σ)·B exactly,
// A = diag(r)⁻¹·U, B = Vᵀ·T⁻¹ (float32 results, computed in float64).
struct Basis {
    torch::Tensor left, singularValues, right; // A [out, p], σ [p], B [p, in], p = min(out, in)
};
Basis weightedBasis(const torch::Tensor &weight, const Weighting &weighting = {});

} // namespace sculpt
