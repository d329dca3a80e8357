#pragma once
// The LLaMA forward pass in LibTorch: RMSNorm, rotary attention with grouped-query heads,
// SwiGLU MLP, tied or untied classifier. Torch inside: include from runtime .cpp files only
// (language_model.h is the torch-free face of it).

#include "runtime/linear.h"
#include "runtime/llama_config.h"
#include "runtime/rotary.h"

#include <torch/types.h>

#include <vector>

namespace sculpt {

class Checkpoint;

// Every layer's keys and values for the positions seen so far, so each new token costs one
// position's work instead of the whole sequence's.
struct KvCache {
    std::vector<torch::Tensor> keys, values; // per layer [kvHeads, contextLength, headDim]
    int64_t length = 0;                      // positions filled
};

class Llama {
public:
    // Copies the weights out of the checkpoint as float32 on `device`. Throws FileError naming
    // the tensor and both shapes when one is missing or not the shape the config implies.
    Llama(const Checkpoint &checkpoint, const LlamaConfig &config, torch::Device device);

    const LlamaConfig &config() const { return config_; }
    KvCache emptyCache() const;

    // Logits [T, vocab] for the token ids `tokens` [T] (int64). With a cache the tokens sit at
    // positions cache.length … and their keys and values are appended to it; without one they
    // start at position 0. The caller keeps the positions within the context length.
    torch::Tensor forward(const torch::Tensor &tokens, KvCache *cache = nullptr) const;

private:
    struct Block {
        torch::Tensor attentionNorm, mlpNorm;
        Linear q, k, v, o, gate, up, down;
    };
    torch::Tensor attention(const Block &block, const torch::Tensor &x, KvCache *cache, size_t layer) const;
    torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &weight) const;

    LlamaConfig config_;
    torch::Device device_;
    Rotary rotary_;
    torch::Tensor embedding_, finalNorm_;
    std::vector<Block> blocks_;
    Linear head_;
};

} // namespace sculpt
