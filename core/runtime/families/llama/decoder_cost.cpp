#include "runtime/families/llama/decoder_cost.h"

namespace sculpt {
namespace {

// `tokens` positions run after `seen` cached keys: every block's products.
int64_t runMacs(const LlamaConfig &c, int64_t tokens, int64_t seen)
{
    const int64_t q = c.heads * c.headDim, kv = c.kvHeads * c.headDim;
    const int64_t perPosition = c.dim * (q + 2 * kv) + q * c.dim + 3 * c.dim * c.hiddenDim;
    return c.layers * (tokens * perPosition + 2 * q * tokens * (seen + tokens));
}

} // namespace

int64_t decoderMacs(const LlamaConfig &c, const AnswerShape &answer, bool himix)
{
    const int64_t images = himix ? answer.imageTokens : 0;
    const int64_t prompt = answer.promptTokens - images; // the positions the blocks run
    const int64_t kv = c.kvHeads * c.headDim;
    int64_t macs = c.layers * images * 2 * c.dim * kv; // HiMix's image keys and values, once
    macs += runMacs(c, prompt, images);
    for (int64_t fed = 0; fed < answer.fedTokens; ++fed)
        macs += runMacs(c, 1, images + prompt + fed);
    return macs;
}

} // namespace sculpt
