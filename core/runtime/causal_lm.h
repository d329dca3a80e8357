#pragma once
// What every language-model architecture gives the runtime: one causal forward over a
// key/value cache, and its projections by checkpoint name so compression passes can read,
// observe and replace them. Torch inside: include from .cpp files only.

#include "runtime/linear.h"

#include <torch/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

class Checkpoint;
class LanguageModel;

// Every layer's keys and values for the positions seen so far, so each new token costs one
// position's work instead of the whole sequence's.
struct KvCache {
    std::vector<torch::Tensor> keys, values; // per layer [kvHeads, contextLength, headDim]
    int64_t length = 0;                      // positions filled

    // Room for a whole context in every layer, none of it filled yet.
    static KvCache forContext(int64_t layers, int64_t kvHeads, int64_t contextLength, int64_t headDim,
                              torch::Device device);
};

// A linear layer of the model under the name its weight has in the checkpoint, minus
// ".weight" ("model.layers.0.self_attn.q_proj").
struct Projection {
    std::string name;
    Linear *linear;
};

class CausalLm {
public:
    virtual ~CausalLm() = default;

    virtual int64_t vocabSize() const = 0;
    virtual int64_t contextLength() const = 0;
    virtual torch::Device device() const = 0;
    virtual KvCache emptyCache() const = 0;

    // Logits [T, vocab] for the token ids `tokens` [T] (int64). With a cache the tokens sit at
    // positions cache.length … and their keys and values are appended to it; without one they
    // start at position 0. The caller keeps the positions within the context length.
    virtual torch::Tensor forward(const torch::Tensor &tokens, KvCache *cache = nullptr) const = 0;

    // The projections inside the blocks (attention and MLP), in depth order — what SVD
    // compression targets. Embeddings and the classifier are not among them.
    virtual std::vector<Projection> projections() = 0;
    // Every weight and bias of the model, for training and for gradients.
    virtual std::vector<torch::Tensor> parameters() const = 0;

    // What a Hugging Face folder of this model holds besides the projections: config.json's
    // text, and the other tensors (embeddings, norms, an untied head) under their names.
    virtual std::string hfConfigJson() const = 0;
    virtual std::vector<std::pair<std::string, torch::Tensor>> otherTensors() const = 0;
    // Whether the architecture's files store a projection's weight as [in, out] (GPT-2's
    // Conv1D) rather than [out, in]: an exporter writing name.weight must transpose.
    virtual bool storesProjectionsTransposed() const { return false; }
};

// The model in `checkpoint`, whichever architecture it is, as float32 on `device`. Throws
// FileError for a model it cannot run or whose weights disagree with its config.
std::unique_ptr<CausalLm> loadCausalLm(const Checkpoint &checkpoint, torch::Device device);

// The torch-free face over a model built in torch (a compressed copy, a freshly trained one).
std::unique_ptr<LanguageModel> wrapLanguageModel(std::shared_ptr<const CausalLm> model);

} // namespace sculpt
