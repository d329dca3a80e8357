#pragma once
// The LLaMA family in LibTorch (LLaMA, Mistral, Qwen2, llama2.c's files): RMSNorm, rotary
// attention with grouped-query heads, SwiGLU MLP, tied or untied classifier. Torch inside:
// include from runtime .cpp files only (model.h is how everything else sees it).

#include "runtime/families/llama/llama_config.h"
#include "runtime/model.h"
#include "runtime/rotary.h"

#include <torch/types.h>

#include <vector>

namespace sculpt {

struct AttentionMask;
class WeightSource;

// Keys and values each layer's queries see before the tokens' own, always and without rotary
// positions: HiMix's vision tokens. Per layer [B, kvHeads, N, headDim].
struct AttentionPrefix {
    std::vector<torch::Tensor> keys, values;
    int64_t length() const { return keys.empty() ? 0 : keys.front().size(2); }
};

// LLaMA's RMSNorm over the last axis: x / √(mean x² + eps) · weight.
torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &weight, double eps);

class Llama : public CausalModel {
public:
    // Builds the model from `weights`: a checkpoint's (each tensor checked against the shape
    // `config` implies; a projection stored as factors loads low-rank; llama2.c's interleaved
    // q/k rows are reordered so the model runs, and exports, in the HF layout), or fresh ones
    // for training: N(0, 0.02), the projections writing into the residual stream (o, down)
    // scaled down by √(2·layers) as GPT-2 does, norms at 1.
    Llama(const WeightSource &weights, const LlamaConfig &config);

    const LlamaConfig &config() const { return config_; } // ropeLayout is always HalfSplit

    std::string family() const override { return "llama"; }
    torch::Device device() const override { return device_; }
    int64_t vocabSize() const override { return config_.vocab; }
    int64_t contextLength() const override { return config_.contextLength; }
    KvCache emptyCache() const override;
    ModelOutput forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter = {}) const override;
    torch::Tensor step(const torch::Tensor &tokens, KvCache *cache = nullptr) const override;
    std::optional<int64_t> decoderMacs(const AnswerShape &answer) const override
    {
        return sculpt::decoderMacs(config_, answer, /*himix=*/false, products());
    }
    // The blocks' projections as they are now (low-rank after a pass); no HiMix image keys.
    DecoderProducts products() const;
    // The two halves of forward() and step(), for a model that puts other embeddings among the
    // tokens' (LLaVA's image tokens): token ids [B, T] → [B, T, dim], and the blocks and head
    // on embeddings x [B, T, dim] with forward()'s documents and hiddenAfter, or on x [T, dim]
    // with step()'s cache. A prefix (not with documents) is seen by every position; the
    // tokens' positions start at 0 after it. In a cache, the first cache->prefix positions
    // hold such a prefix.
    torch::Tensor embed(const torch::Tensor &tokens) const;
    ModelOutput forwardEmbedded(const torch::Tensor &x, const torch::Tensor &documents,
                                const std::vector<int64_t> &hiddenAfter = {},
                                const AttentionPrefix *prefix = nullptr) const;
    torch::Tensor stepEmbedded(const torch::Tensor &x, KvCache *cache = nullptr) const;
    std::vector<LinearSite> linearSites() override;
    std::vector<AttentionSite> attentionSites() override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() override;
    std::string hfConfigJson() const override;
    std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(bool factorized) override;

private:
    struct Block {
        torch::Tensor attentionNorm, mlpNorm;
        Linear q, k, v, o, gate, up, down;
        torch::Tensor headGate; // [heads] or undefined (AttentionSite::gate)
    };
    // The residual stream x [B, T, dim] through every block; `cache` (one row only) takes
    // their keys and values, `prefix` goes before them. Collects the stream after the blocks
    // in `hiddenAfter`.
    torch::Tensor blocks(torch::Tensor x, const Rotary::Window &angles, const AttentionMask &mask, KvCache *cache,
                         const AttentionPrefix *prefix, const std::vector<int64_t> &hiddenAfter,
                         std::vector<torch::Tensor> *hidden) const;
    torch::Tensor attention(const Block &block, const torch::Tensor &x, const Rotary::Window &angles,
                            const AttentionMask &mask, KvCache *cache, const AttentionPrefix *prefix,
                            size_t layer) const;
    static std::string layerPrefix(size_t layer) { return "model.layers." + std::to_string(layer) + "."; }

    LlamaConfig config_;
    torch::Device device_;
    Rotary rotary_;
    torch::Tensor embedding_, finalNorm_;
    std::vector<Block> blocks_;
    Linear head_;
};

} // namespace sculpt
