#pragma once
// The shape of a LLaMA-family model (LLaMA, Mistral, Qwen2 and llama2.c's files), read from
// config.json or from a llama2.c header.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace sculpt {

class Checkpoint;

// How rotary embeddings pair up a head's dimensions. llama2.c rotates interleaved pairs
// (2i, 2i+1); Hugging Face's conversion permutes the q and k rows so that the pairs are
// (i, i + headDim/2), the two halves (`rotate_half`). Same model, different row order.
enum class RopeLayout { Interleaved, HalfSplit };

struct LlamaConfig {
    int64_t dim = 0;        // hidden_size
    int64_t hiddenDim = 0;  // intermediate_size, the SwiGLU width
    int64_t layers = 0;
    int64_t heads = 0;
    int64_t kvHeads = 0;    // fewer than heads: grouped-query attention
    int64_t headDim = 0;
    int64_t vocab = 0;
    int64_t contextLength = 0; // max_position_embeddings, seq_len in llama2.c
    double rmsNormEps = 1e-5;
    double ropeTheta = 10000;
    bool tiedHead = false;  // the classifier is the token embedding
    RopeLayout ropeLayout = RopeLayout::HalfSplit;
};

// Throws FileError when the checkpoint is not a LLaMA-family model or its config is
// incomplete or asks for something the runtime does not do (rope scaling, another activation).
LlamaConfig readLlamaConfig(const Checkpoint &checkpoint);
// The same from part of config.json: a multimodal model's decoder (`section` "text_config").
// A key it leaves out takes transformers' default for its model_type (LlamaConfig's or
// Qwen2Config's), as a LLaVA folder's short text_config expects.
LlamaConfig readLlamaConfig(const Checkpoint &checkpoint, const nlohmann::json &config, const std::string &section);

// config.json for the model in the Hugging Face layout (rotary pairs half-split), the way
// transformers' LlamaConfig reads it.
std::string hfConfigJson(const LlamaConfig &config);

} // namespace sculpt
