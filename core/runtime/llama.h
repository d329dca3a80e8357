#pragma once
// The LLaMA forward pass in LibTorch: RMSNorm, rotary attention with grouped-query heads,
// SwiGLU MLP, tied or untied classifier. Torch inside: include from runtime .cpp files only
// (language_model.h is the torch-free face of it).

#include "runtime/causal_lm.h"
#include "runtime/llama_config.h"
#include "runtime/rotary.h"

#include <torch/types.h>

#include <vector>

namespace sculpt {

class Checkpoint;

class Llama : public CausalLm {
public:
    // Copies the weights out of the checkpoint as float32 on `device`. Throws FileError naming
    // the tensor and both shapes when one is missing or not the shape the config implies.
    // Projections stored as factors (name.weight_a, name.weight_b) load low-rank; llama2.c's
    // interleaved q/k rows are reordered so the model runs, and exports, in the HF layout.
    Llama(const Checkpoint &checkpoint, const LlamaConfig &config, torch::Device device);

    const LlamaConfig &config() const { return config_; } // ropeLayout is always HalfSplit

    int64_t vocabSize() const override { return config_.vocab; }
    int64_t contextLength() const override { return config_.contextLength; }
    torch::Device device() const override { return device_; }
    KvCache emptyCache() const override;
    torch::Tensor forward(const torch::Tensor &tokens, KvCache *cache = nullptr) const override;
    std::vector<Projection> projections() override;
    std::vector<torch::Tensor> parameters() const override;
    std::string hfConfigJson() const override;
    std::vector<std::pair<std::string, torch::Tensor>> otherTensors() const override;

private:
    struct Block {
        torch::Tensor attentionNorm, mlpNorm;
        Linear q, k, v, o, gate, up, down;
    };
    // `mask` [group·T, start+T] is 0 where a query may look and −inf where it may not, or
    // undefined for a single query, which sees every key.
    torch::Tensor attention(const Block &block, const torch::Tensor &x, const Rotary::Window &angles,
                            const torch::Tensor &mask, KvCache *cache, size_t layer) const;
    torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &weight) const;

    LlamaConfig config_;
    torch::Device device_;
    Rotary rotary_;
    torch::Tensor embedding_, finalNorm_;
    std::vector<Block> blocks_;
    Linear head_;
};

} // namespace sculpt
