#pragma once
// The GPT-2 family in LibTorch: learned positions, pre-LayerNorm blocks, one fused q|k|v
// projection (c_attn), GELU MLP, classifier tied to the token embedding. Torch inside: include
// from runtime .cpp files only (model.h is how everything else sees it).

#include "runtime/families/gpt2/gpt2_config.h"
#include "runtime/model.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace sculpt {

struct AttentionMask;
class WeightSource;

class Gpt2 : public CausalModel {
public:
    // Builds the model from `weights` under names with or without the "transformer." prefix
    // (`prefix`). Conv1D weights, stored [in, out], are transposed so that every projection is
    // a Linear [out, in]; one stored as factors (name.weight_a [out, r], name.weight_b [r, in])
    // loads low-rank. Throws FileError naming the tensor and both shapes when one is missing or
    // not the shape the config implies.
    Gpt2(const WeightSource &weights, const Gpt2Config &config, std::string prefix);

    const Gpt2Config &config() const { return config_; }

    std::string family() const override { return "gpt2"; }
    torch::Device device() const override { return device_; }
    int64_t vocabSize() const override { return config_.vocab; }
    int64_t contextLength() const override { return config_.contextLength; }
    KvCache emptyCache() const override;
    ModelOutput forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter = {}) const override;
    torch::Tensor step(const torch::Tensor &tokens, KvCache *cache = nullptr) const override;
    // attn.c_attn (q|k|v, [3·dim, dim]), attn.c_proj, mlp.c_fc and mlp.c_proj of every block,
    // named as in the checkpoint ("transformer.h.0.attn.c_attn").
    std::vector<LinearSite> linearSites() override;
    std::vector<AttentionSite> attentionSites() override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() override;
    std::string hfConfigJson() const override;
    std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(bool factorized) override;

private:
    struct LayerNorm {
        torch::Tensor weight, bias;
    };
    struct Block {
        LayerNorm attentionNorm, mlpNorm; // ln_1, ln_2
        Linear qkv, out, up, down;        // attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj
        torch::Tensor headGate;           // [heads] or undefined (AttentionSite::gate)
    };
    torch::Tensor blocks(torch::Tensor x, const AttentionMask &mask, KvCache *cache,
                         const std::vector<int64_t> &hiddenAfter, std::vector<torch::Tensor> *hidden) const;
    torch::Tensor attention(const Block &block, const torch::Tensor &x, const AttentionMask &mask, KvCache *cache,
                            size_t layer) const;
    torch::Tensor norm(const torch::Tensor &x, const LayerNorm &n) const;
    std::string blockPrefix(size_t layer) const { return prefix_ + "h." + std::to_string(layer) + "."; }
    std::vector<std::pair<std::string, const LayerNorm *>> norms() const;

    Gpt2Config config_;
    torch::Device device_;
    std::string prefix_; // "transformer." or "", as the checkpoint names its tensors
    torch::Tensor tokenEmbedding_, positionEmbedding_; // wte [vocab, dim], wpe [context, dim]
    LayerNorm finalNorm_;                              // ln_f
    std::vector<Block> blocks_;
};

// GPT2LMHeadModel saves its tensors under "transformer."; OpenAI's converted checkpoints and
// GPT2Model leave the prefix out.
std::string gpt2NamePrefix(const Checkpoint &checkpoint);

} // namespace sculpt
