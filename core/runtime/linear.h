#pragma once
// The one linear layer every projection of every model runs through: dense as loaded, or
// low-rank once a compression pass has factored it, so compressed models need no other code.
// Torch inside: include from .cpp files only.

#include <torch/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

class Adapter;

class Linear {
public:
    // y = x·Wᵀ + b, with W [out, in].
    static Linear dense(torch::Tensor weight, std::optional<torch::Tensor> bias = std::nullopt);
    // y = x·(A·diag(s)·B)ᵀ + b, with A [out, r], B [r, in] and s [r] (all ones when absent),
    // computed as two thin products: r·(in + out) multiply-adds per input instead of in·out.
    static Linear lowRank(torch::Tensor a, torch::Tensor b, std::optional<torch::Tensor> scale = std::nullopt,
                          std::optional<torch::Tensor> bias = std::nullopt);

    // x [..., in] -> [..., out]: the base product plus what each adapter adds.
    torch::Tensor operator()(const torch::Tensor &x) const;

    // Adapters beside the base weight, which they never change: fine-tuning trains them with the
    // base frozen, and a merge folds them into a new base.
    void attach(std::shared_ptr<Adapter> adapter) { adapters_.push_back(std::move(adapter)); }
    void detachAdapters() { adapters_.clear(); }
    const std::vector<std::shared_ptr<Adapter>> &adapters() const { return adapters_; }
    // Replaces the base by the dense W [out, in] of the same shape, keeping the bias and the
    // adapters: how a merge folds adapters in, and how a low-rank layer becomes dense again.
    // Throws std::invalid_argument for another shape.
    void setDenseWeight(torch::Tensor weight);

    // The layer computing only the outputs `rows`, or reading only the inputs `columns` (int64
    // indices, in the order given): what removing attention heads leaves of their projections.
    // Throws std::invalid_argument while adapters are attached: merge or detach them first.
    Linear keepOutputs(const torch::Tensor &rows) const;
    Linear keepInputs(const torch::Tensor &columns) const;

    int64_t inFeatures() const;
    int64_t outFeatures() const { return outer_.size(0); }
    bool isLowRank() const { return inner_.defined(); }
    // Multiply-adds of the base product for one input row: in·out, or r·(in + out) low-rank.
    int64_t macsPerRow() const;
    // W [out, in]: the dense weight, or A·diag(s)·B of a low-rank layer.
    torch::Tensor weight() const;
    // A [out, r] with diag(s) folded in, and B [r, in]: the factors a file stores. Only for
    // low-rank layers.
    struct Factors {
        torch::Tensor a, b;
    };
    Factors factors() const;
    // The bias [out], or an undefined tensor.
    const torch::Tensor &bias() const { return bias_; }
    // The tensors this layer computes with, named as a checkpoint of layer `name` names them:
    // name.weight, or name.weight_a (A), name.weight_b (B) and name.scale (s); name.bias; and
    // each adapter's as PEFT names them (name.lora_A.weight).
    std::vector<std::pair<std::string, torch::Tensor>> parameters(const std::string &name) const;

    // Calls `observer` with every input x [..., in] before the product: how calibration
    // passes collect activation statistics. An empty function stops observing.
    void observeInputs(std::function<void(const torch::Tensor &)> observer) { observer_ = std::move(observer); }

private:
    Linear() = default;
    torch::Tensor outer_; // W when dense, A when low-rank
    torch::Tensor inner_; // B when low-rank, else undefined
    torch::Tensor scale_; // s, or undefined
    torch::Tensor bias_;  // b, or undefined
    std::vector<std::shared_ptr<Adapter>> adapters_;
    std::function<void(const torch::Tensor &)> observer_;
};

} // namespace sculpt
