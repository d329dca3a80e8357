#pragma once
// The GPT-2 forward pass in LibTorch: learned positions, pre-LayerNorm blocks, one fused
// q|k|v projection (c_attn), GELU MLP, classifier tied to the token embedding. Torch inside:
// include from runtime .cpp files only (language_model.h is the torch-free face of it).

#include "runtime/causal_lm.h"
#include "runtime/gpt2_config.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

class Gpt2 : public CausalLm {
public:
    // Copies the weights out of the checkpoint as float32 on `device`, under names with or
    // without the "transformer." prefix. Conv1D weights, stored [in, out], are transposed so
    // that every projection is a Linear [out, in]; one stored as factors (name.weight_a
    // [out, r], name.weight_b [r, in]) loads low-rank. Throws FileError naming the tensor and
    // both shapes when one is missing or not the shape the config implies.
    Gpt2(const Checkpoint &checkpoint, const Gpt2Config &config, torch::Device device);

    const Gpt2Config &config() const { return config_; }

    int64_t vocabSize() const override { return config_.vocab; }
    int64_t contextLength() const override { return config_.contextLength; }
    torch::Device device() const override { return device_; }
    KvCache emptyCache() const override;
    torch::Tensor forward(const torch::Tensor &tokens, KvCache *cache = nullptr) const override;
    // attn.c_attn (q|k|v, [3·dim, dim]), attn.c_proj, mlp.c_fc and mlp.c_proj of every block,
    // named as in the checkpoint ("transformer.h.0.attn.c_attn").
    std::vector<Projection> projections() override;
    std::vector<torch::Tensor> parameters() const override;
    std::string hfConfigJson() const override;
    std::vector<std::pair<std::string, torch::Tensor>> otherTensors() const override;
    bool storesProjectionsTransposed() const override { return true; } // Conv1D

private:
    struct LayerNorm {
        torch::Tensor weight, bias;
    };
    struct Block {
        LayerNorm attentionNorm, mlpNorm; // ln_1, ln_2
        Linear qkv, out, up, down;        // attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj
    };
    torch::Tensor attention(const Block &block, const torch::Tensor &x, KvCache *cache, size_t layer) const;
    torch::Tensor norm(const torch::Tensor &x, const LayerNorm &n) const;

    Gpt2Config config_;
    torch::Device device_;
    std::string prefix_; // "transformer." or "", as the checkpoint names its tensors
    torch::Tensor tokenEmbedding_, positionEmbedding_; // wte [vocab, dim], wpe [context, dim]
    LayerNorm finalNorm_;                              // ln_f
    std::vector<Block> blocks_;
};

} // namespace sculpt
