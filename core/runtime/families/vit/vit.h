#pragma once
// The Vision Transformer family in LibTorch: patches through a linear embedding, a class token
// and learned positions, pre-norm blocks (LayerNorm, multi-head attention, MLP), the head on
// the class token. Torch inside: include from runtime .cpp files only (model.h is how
// everything else sees it).

#include "runtime/checkpoint_tensors.h"
#include "runtime/families/vit/vit_config.h"
#include "runtime/model.h"

#include <memory>

#include <torch/types.h>

#include <vector>

namespace sculpt {

class WeightSource;

// x through one of the transformers hidden_act functions the runtime has.
torch::Tensor applyActivation(VitActivation activation, const torch::Tensor &x);

class Vit : public VisionModel {
public:
    // Builds the model from `weights` under config.names: a checkpoint's (looked up after the
    // config's renames, each tensor checked against the shape the config implies; the patch
    // embedding may be a [dim, C, p, p] convolution kernel or the [dim, C·p·p] matrix it
    // amounts to), or fresh ones for training — transformers' initialisation: weights
    // N(0, 0.02), biases 0, LayerNorms 1 and 0.
    Vit(const WeightSource &weights, const VitConfig &config);

    const VitConfig &config() const { return config_; }

    std::string family() const override { return "vit"; }
    torch::Device device() const override { return device_; }
    const ImageFormat &imageFormat() const override { return format_; }
    int64_t classes() const override { return config_.labels; }
    std::vector<std::string> classNames() const override { return config_.labelNames; }
    // input.pixels [B, channels, imageSize, imageSize] → logits [B, labels], or for a vision
    // tower (no labels) the last hidden states [B, tokens, dim]; the hidden states are every
    // token's, the class token first.
    ModelOutput forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter = {}) const override;
    // The residual stream [B, tokens, dim] after block `layer`, no block past it run: what a
    // vision-language model's projector reads. Throws std::invalid_argument for a block the
    // model lacks.
    torch::Tensor hiddenAfter(const torch::Tensor &pixels, int64_t layer) const;
    // The patch embedding (role "conv", as the inventory names a convolution), the blocks'
    // q, k, v (or the fused qkv), o, fc1 and fc2, and the head.
    std::vector<LinearSite> linearSites() override;
    std::vector<AttentionSite> attentionSites() override;
    std::vector<MlpSite> mlpSites() override;
    void removeHeads(int64_t layer, const std::vector<int64_t> &heads) override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() override;
    std::string hfConfigJson() const override;
    std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(bool factorized) override;
    // checkpointTensors without asking whether a ViT config can describe the model: the tensors
    // in the shapes its checkpoint stores them, for a family that writes its own config (a
    // LLaVA tower's is a CLIP or SigLIP section).
    NamedTensors storedTensors(bool factorized);

private:
    struct Norm {
        torch::Tensor weight, bias;
    };
    struct Block {
        Norm attentionNorm, mlpNorm;
        std::vector<Linear> qkv; // one fused projection, or q, k and v
        Linear output, mlpIn, mlpOut;
        torch::Tensor headGate; // [heads] or undefined (AttentionSite::gate)
        std::vector<std::shared_ptr<Adapter>> mlpAdapters;
        std::vector<int64_t> heads; // the heads it computes, by their number before any was removed
    };
    torch::Tensor patches(const torch::Tensor &pixels) const; // [B, patches, C·p·p] in config order
    torch::Tensor embed(const torch::Tensor &pixels) const;   // the tokens block 0 reads
    torch::Tensor runBlock(size_t layer, const torch::Tensor &x) const;
    torch::Tensor attention(const Block &block, const torch::Tensor &x) const;
    torch::Tensor activate(const torch::Tensor &x) const;
    torch::Tensor norm(const Norm &n, const torch::Tensor &x) const;
    std::vector<std::pair<std::string, const Norm *>> norms() const;
    NamedTensors embeddings() const; // the class token (if any) and the positions

    VitConfig config_;
    ImageFormat format_;
    torch::Device device_;
    Linear patchEmbedding_;
    torch::Tensor clsToken_, positions_; // [1, 1, dim] (undefined without one), [1, tokens, dim]
    Norm preNorm_;                       // undefined tensors when the config has none
    std::vector<Block> blocks_;
    Norm finalNorm_; // undefined tensors when the config has none
    std::vector<Linear> head_; // Linear, or Linear → activation → Linear
};

} // namespace sculpt
