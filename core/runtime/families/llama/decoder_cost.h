#pragma once
// What a LLaMA-family decoder's blocks cost for one answer, counted from the config: the
// multiply-adds of their matrix products as the runtime does them (MacCount measures the
// same), vanilla or HiMix. Torch-free.
//
// Per block, each position run costs its projections and MLP, d·(q + 2·kv) + q·d + 3·d·f,
// plus attention's scores and mixing against every key the product spans, 2·q·keys (the
// runtime multiplies the causal mask's hidden half too). A vanilla decoder runs the image's N
// tokens as positions like the text's M; HiMix runs the text alone, its queries also seeing
// the N image keys, which each layer makes once, N·2·d·kv. So the image's share of the
// decoder goes from (N+M)-sized products to N-sized keys: for N ≫ M, roughly
// 1 + (linear per position)/(2·d·kv) times fewer multiply-adds.

#include "runtime/families/llama/llama_config.h"

#include <cstdint>

namespace sculpt {

// One answer: a prompt of `promptTokens` positions (its `imageTokens` among them) run at once,
// then `fedTokens` of the answer fed back one at a time (generate() feeds each new token but
// one that ends the answer at its length limit).
struct AnswerShape {
    int64_t promptTokens = 0;
    int64_t imageTokens = 0;
    int64_t fedTokens = 0;
};

// The blocks' projections' multiply-adds for one position (every layer's q, k, v, o and MLP),
// and for one image token's HiMix keys and values (every layer's): what a compressed model's
// low-rank layers change. dense() is the config's own, every layer full.
struct DecoderProducts {
    int64_t perPosition = 0;
    int64_t perImageToken = 0;

    static DecoderProducts dense(const LlamaConfig &config);
};

// Multiply-adds of the blocks (not the embedding, the final norm or the head), with the
// config's dense projections or those `products` says.
int64_t decoderMacs(const LlamaConfig &config, const AnswerShape &answer, bool himix);
int64_t decoderMacs(const LlamaConfig &config, const AnswerShape &answer, bool himix, const DecoderProducts &products);

} // namespace sculpt
