#pragma once
// Text generation: greedy, or sampled at a temperature from a seeded generator.

#include "job/job.h"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace sculpt {

class LanguageModel;
class Tokenizer;

struct GenerateOptions {
    long maxTokens = 256;      // new tokens at most
    double temperature = 0;    // 0: always the most likely token
    uint64_t seed = 0;         // for temperature > 0: the same seed gives the same tokens
    std::vector<int32_t> stop; // a token that ends the text: textEnds(tokenizer), usually
};

// The tokens that end a text: EOS, and BOS, which llama2.c's models emit between stories.
std::vector<int32_t> textEnds(const Tokenizer &tokenizer);

struct Generation {
    std::vector<int32_t> tokens; // the new ones, without the stop token that ended them
    // How many of them were fed back after the prompt (decoder_cost.h's fedTokens): each but
    // one that ends the text at the length limit or a full context, which nothing reads.
    long fed = 0;
};

// Continues `prompt` (non-empty: at least the BOS a text starts with) with new tokens. It stops
// after maxTokens, at a stop token, when the model's context is full, or when `onToken` — which
// sees each new token as it is chosen — returns false: that token is the text's last. A
// vision-language model's prompt holds its images' tokens and `pixels` their pixels
// (LanguageModel::Decoder::prompt).
//
// Sampling draws from softmax(logits / temperature) with std::mt19937_64 seeded with `seed`:
// each draw takes the top 53 bits of one 64-bit output as a uniform number in [0, 1) and
// walks the cumulative probabilities, so a seed gives the same text on every platform.
Generation generate(const LanguageModel &model, std::span<const int32_t> prompt, const GenerateOptions &options,
                    const std::function<bool(int32_t)> &onToken = {}, const JobContext &job = {},
                    std::span<const float> pixels = {});

} // namespace sculpt
