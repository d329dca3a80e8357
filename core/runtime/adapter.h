#pragma once
// Small modules trained beside a frozen model, each adding its output to a frozen part's:
// LoRA beside a linear layer, a bottleneck beside a block's MLP. Held by shared_ptr so that
// one adapter can serve several positions (Pear shares strong adapters into pruned ones).
// Torch inside: for runtime, adapt and plugin .cpp files only.

#include <torch/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

// A new [out, in] projection as nn.Linear initialises one (Kaiming-uniform with a = √5:
// U(−1/√in, 1/√in)), what PEFT gives lora_A; drawn from torch's generator.
torch::Tensor kaimingUniform(int64_t out, int64_t in, torch::Device device);

class Adapter {
public:
    virtual ~Adapter() = default;
    virtual std::string kind() const = 0; // "lora", "bottleneck"
    // What it adds: x [..., in] → [..., out].
    virtual torch::Tensor operator()(const torch::Tensor &x) const = 0;
    // Its tensors, named relative to where it sits ("lora_A.weight"): what training updates.
    virtual std::vector<std::pair<std::string, torch::Tensor>> parameters() const = 0;
    // Those of its tensors no other position holds (not Lily's model-wide experts): what the
    // adapter's own size and importance are counted from.
    virtual std::vector<std::pair<std::string, torch::Tensor>> ownParameters() const { return parameters(); }
    int64_t parameterCount() const; // of its own tensors
    // The ΔW [out, in] it equals when it is a linear map of its layer's input (LoRA, and LoRA
    // shared into another position): what merging folds into the weight. None for the others.
    virtual std::optional<torch::Tensor> weightUpdate() const { return std::nullopt; }
    // For an adapter that mixes experts (Lily): the weight it gives each expert for each token
    // of x, [..., experts]. None for the others.
    virtual std::optional<torch::Tensor> expertWeights(const torch::Tensor &) const { return std::nullopt; }
    // The part of its layer's outputs it adapts, by role ("q" of a fused q/k/v projection, an
    // OutputPart's name); empty when it adapts them all.
    virtual std::string partName() const { return {}; }
};

// Some of a layer's outputs, adapted on their own: one of q, k and v in a fused projection,
// as loralib's MergedLinear adapts them (enable_lora), and Lily likewise.
struct OutputPart {
    std::string name;   // "q": a LoRA's tensors are lora_A.q.weight and lora_B.q.weight
    torch::Tensor rows; // int64 [rows]: the outputs it adds to, on the layer's device
};

// ΔW = (α/r)·B·A with A [r, in] and B [out, r] (Hu et al.; PEFT's names and initialisation:
// A Kaiming-uniform, B zero, so a new adapter changes nothing until it trains). On a part,
// B is [rows, r] and ΔW is zero outside the part's rows.
class LoraAdapter : public Adapter {
public:
    // A new adapter, A drawn from torch's generator (seed it for reproducible runs), on all
    // `out` outputs or on a part of them. Throws std::invalid_argument for rows outside [0, out).
    LoraAdapter(int64_t in, int64_t out, int64_t rank, double alpha, torch::Device device,
                std::optional<OutputPart> part = std::nullopt);
    // Trained factors, as a PEFT folder stores them.
    LoraAdapter(torch::Tensor a, torch::Tensor b, double alpha);

    std::string kind() const override { return "lora"; }
    torch::Tensor operator()(const torch::Tensor &x) const override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() const override;

    int64_t rank() const { return a_.size(0); }
    double alpha() const { return alpha_; }
    const torch::Tensor &a() const { return a_; }
    const torch::Tensor &b() const { return b_; } // [out, r], or [rows, r] on a part
    const std::optional<OutputPart> &part() const { return part_; }
    std::string partName() const override { return part_ ? part_->name : ""; }
    torch::Tensor delta() const; // (α/r)·B·A [out, in]: what merging adds to the weight
    std::optional<torch::Tensor> weightUpdate() const override { return delta(); }

private:
    torch::Tensor spreadB() const; // B [out, r]: a part's rows in place, zeros elsewhere

    torch::Tensor a_, b_;
    double alpha_;
    std::optional<OutputPart> part_;
    int64_t out_ = 0;
};

// AdaptFormer's parallel adapter: scale·up(ReLU(down(x))), down [r, dim] Kaiming-uniform, up
// [dim, r] zero, both with zero biases.
class BottleneckAdapter : public Adapter {
public:
    BottleneckAdapter(int64_t dim, int64_t width, double scale, torch::Device device);

    std::string kind() const override { return "bottleneck"; }
    torch::Tensor operator()(const torch::Tensor &x) const override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() const override;

private:
    torch::Tensor downWeight_, downBias_, upWeight_, upBias_;
    double scale_;
};

// An adapter serving another position (Pear shares a kept adapter into a pruned one's):
// scale·adapter(x). The adapter's own tensors train where it sits; only the scale, a trainable
// scalar, belongs to this position, so the positions it serves can still differ.
class SharedAdapter : public Adapter {
public:
    SharedAdapter(std::shared_ptr<Adapter> adapter, torch::Tensor scale);
    std::string kind() const override { return "shared " + adapter_->kind(); }
    torch::Tensor operator()(const torch::Tensor &x) const override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() const override;
    std::optional<torch::Tensor> weightUpdate() const override; // scale·ΔW of a linear adapter
    std::string partName() const override { return adapter_->partName(); }
    const std::shared_ptr<Adapter> &adapter() const { return adapter_; }
    const torch::Tensor &scale() const { return scale_; }

private:
    std::shared_ptr<Adapter> adapter_;
    torch::Tensor scale_;
};

// An adapter kept as it was and no longer trained (Pear's knowledge checkpoint keeps a pruned
// adapter so): it adds what it learned, holds its own tensors (ownParameters: what is stored)
// and offers none to train (parameters() is empty). What it shares with other positions (Lily's
// experts) is not its to freeze: those go on training where they are kept.
class FrozenAdapter : public Adapter {
public:
    explicit FrozenAdapter(std::shared_ptr<Adapter> adapter);
    std::string kind() const override { return "frozen " + adapter_->kind(); }
    torch::Tensor operator()(const torch::Tensor &x) const override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() const override { return {}; }
    std::vector<std::pair<std::string, torch::Tensor>> ownParameters() const override { return adapter_->ownParameters(); }
    std::optional<torch::Tensor> weightUpdate() const override { return adapter_->weightUpdate(); }
    std::string partName() const override { return adapter_->partName(); }
    const std::shared_ptr<Adapter> &adapter() const { return adapter_; }

private:
    std::shared_ptr<Adapter> adapter_;
};

} // namespace sculpt
