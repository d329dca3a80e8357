#include "model/head_layout.h"

#include <stdexcept>

namespace sculpt {

std::array<HeadSpan, 3> headInputSpans(const HeadLayout &layout, int64_t head)
{
    if (head < 0 || head >= layout.heads)
        throw std::invalid_argument("layer " + std::to_string(layout.layer) + " has no head " + std::to_string(head) +
                                    " (it has " + std::to_string(layout.heads) + ")");
    const int64_t d = layout.headDim, kv = head / (layout.heads / layout.kvHeads);
    if (!layout.fused)
        return {HeadSpan{0, head * d, d}, HeadSpan{1, kv * d, d}, HeadSpan{2, kv * d, d}};
    if (layout.fusedHeadsFirst) // only ViTs lay rows out so, and they have a key/value head per head
        return {HeadSpan{0, head * 3 * d, d}, HeadSpan{0, head * 3 * d + d, d}, HeadSpan{0, head * 3 * d + 2 * d, d}};
    return {HeadSpan{0, head * d, d}, HeadSpan{0, (layout.heads + kv) * d, d},
            HeadSpan{0, (layout.heads + layout.kvHeads + kv) * d, d}};
}

HeadSpan headOutputSpan(const HeadLayout &layout, int64_t head)
{
    return {0, head * layout.headDim, layout.headDim};
}

} // namespace sculpt
