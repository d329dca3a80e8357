#include "runtime/families/llama/decoder_cost.h"

namespace sculpt {
namespace {

// `tokens` positions run after `seen` cached keys: every block's products.
int64_t runMacs(const LlamaConfig &c, const DecoderProducts &products, int64_t tokens, int64_t seen)
{
    const int64_t q = c.heads * c.headDim;
    return tokens * products.perPosition + c.layers * 2 * q * tokens * (seen + tokens);
}

} // namespace

DecoderProducts DecoderProducts::dense(const LlamaConfig &c)
{
    const int64_t q = c.heads * c.headDim, kv = c.kvHeads * c.headDim;
    return {c.layers * (c.dim * (q + 2 * kv) + q * c.dim + 3 * c.dim * c.hiddenDim), c.layers * 2 * c.dim * kv};
}

int64_t decoderMacs(const LlamaConfig &c, const AnswerShape &answer, bool himix)
{
    return decoderMacs(c, answer, himix, DecoderProducts::dense(c));
}

int64_t decoderMacs(const LlamaConfig &c, const AnswerShape &answer, bool himix, const DecoderProducts &products)
{
    const int64_t images = himix ? answer.imageTokens : 0;
    const int64_t prompt = answer.promptTokens - images; // the positions the blocks run
    int64_t macs = images * products.perImageToken; // HiMix's image keys and values, once
    macs += runMacs(c, products, prompt, images);
    for (int64_t fed = 0; fed < answer.fedTokens; ++fed)
        macs += runMacs(c, products, 1, images + prompt + fed);
    return macs;
}

} // namespace sculpt
