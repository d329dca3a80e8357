#pragma once
// The Vision Transformer forward pass in LibTorch: patches through a linear embedding, a class
// token and learned positions, pre-norm blocks (LayerNorm, multi-head attention, MLP), the
// head on the class token. Torch inside: include from runtime .cpp files only
// (image_classifier.h is the torch-free face of it).

#include "runtime/linear.h"
#include "runtime/vit_config.h"

#include <torch/types.h>

#include <vector>

namespace sculpt {

class Checkpoint;

class Vit {
public:
    // Copies the weights out of the checkpoint as float32 on `device`, finding each under
    // config.names after config.renames. Throws FileError naming the tensor and both shapes
    // when one is missing or not the shape the config implies.
    Vit(const Checkpoint &checkpoint, const VitConfig &config, torch::Device device);

    const VitConfig &config() const { return config_; }

    // Logits [B, labels] for normalised pixels [B, channels, imageSize, imageSize] (float32).
    torch::Tensor forward(const torch::Tensor &pixels) const;

private:
    class Weights; // the checkpoint's tensors under the config's names
    Vit(const Weights &weights, const VitConfig &config);

    struct Norm {
        torch::Tensor weight, bias;
    };
    struct Block {
        Norm attentionNorm, mlpNorm;
        std::vector<Linear> qkv; // one fused projection, or q, k and v
        Linear output, mlpIn, mlpOut;
    };
    torch::Tensor patches(const torch::Tensor &pixels) const; // [B, patches, C·p·p] in config order
    torch::Tensor attention(const Block &block, const torch::Tensor &x) const;
    torch::Tensor activate(const torch::Tensor &x) const;
    torch::Tensor norm(const Norm &n, const torch::Tensor &x) const;

    VitConfig config_;
    Linear patchEmbedding_;
    torch::Tensor clsToken_, positions_; // [1, 1, dim], [1, patches + 1, dim]
    std::vector<Block> blocks_;
    Norm finalNorm_; // undefined tensors when the config has none
    std::vector<Linear> head_; // Linear, or Linear → activation → Linear
};

} // namespace sculpt
