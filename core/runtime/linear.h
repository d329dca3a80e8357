#pragma once
// The one linear layer every projection of every model runs through: dense as loaded, or
// low-rank once a compression pass has factored it, so compressed models need no other code.
// Torch inside: include from .cpp files only.

#include <torch/types.h>

#include <optional>

namespace sculpt {

class Linear {
public:
    // y = x·Wᵀ + b, with W [out, in].
    static Linear dense(torch::Tensor weight, std::optional<torch::Tensor> bias = std::nullopt);
    // y = x·(A·diag(s)·B)ᵀ + b, with A [out, r], B [r, in] and s [r] (all ones when absent),
    // computed as two thin products: r·(in + out) multiply-adds per input instead of in·out.
    static Linear lowRank(torch::Tensor a, torch::Tensor b, std::optional<torch::Tensor> scale = std::nullopt,
                          std::optional<torch::Tensor> bias = std::nullopt);

    // x [..., in] -> [..., out]
    torch::Tensor operator()(const torch::Tensor &x) const;

    int64_t inFeatures() const;
    int64_t outFeatures() const { return outer_.size(0); }
    bool isLowRank() const { return inner_.defined(); }

private:
    Linear() = default;
    torch::Tensor outer_; // W when dense, A when low-rank
    torch::Tensor inner_; // B when low-rank, else undefined
    torch::Tensor scale_; // s, or undefined
    torch::Tensor bias_;  // b, or undefined
};

} // namespace sculpt
