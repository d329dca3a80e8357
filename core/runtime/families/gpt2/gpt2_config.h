#pragma once
// The shape of a GPT-2 model (GPT-2, DistilGPT2 and models trained with transformers'
// GPT2LMHeadModel), read from its config.json.

#include <cstdint>
#include <string>

namespace sculpt {

class Checkpoint;

struct Gpt2Config {
    int64_t dim = 0;           // n_embd
    int64_t hiddenDim = 0;     // n_inner, 4·n_embd when null
    int64_t layers = 0;        // n_layer
    int64_t heads = 0;         // n_head
    int64_t headDim = 0;       // n_embd / n_head
    int64_t vocab = 0;         // vocab_size
    int64_t contextLength = 0; // n_positions (n_ctx in older configs): the learned positions
    double layerNormEps = 1e-5;
};

// Throws FileError when the checkpoint has no config.json, the config is not GPT-2's or is
// incomplete, or it asks for something the runtime does not do (another activation, an untied
// head, attention scaled other than by 1/√headDim).
Gpt2Config readGpt2Config(const Checkpoint &checkpoint);

// config.json for the model, the way transformers' GPT2Config reads it.
std::string hfConfigJson(const Gpt2Config &config);

} // namespace sculpt
