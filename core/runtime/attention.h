#pragma once
// The core every family's attention shares: scaled dot products, the mask, softmax, the
// per-head gate. Torch inside: for runtime .cpp files.

#include <torch/types.h>

namespace sculpt {

// Which keys each query may see, as an additive mask (0 or −inf) laid out for attend(): built
// once per forward pass and used by every layer.
struct AttentionMask {
    torch::Tensor scores; // broadcastable to [B·kvHeads, group·T, S], or undefined: every key visible
};

// Causal within each row: query t (at position start + t) sees keys 0 … start + t. For a
// single query (decoding) every key is visible and no mask is needed.
AttentionMask causalMask(int64_t length, int64_t start, int64_t group, torch::Device device);

// Causal within each document of `documents` [B, T] (−1: padding, which sees only itself so
// that no row of scores is all −inf).
AttentionMask documentMask(const torch::Tensor &documents, int64_t kvHeads, int64_t group);

// Every query sees the keys `visible` [B, S] (bool) marks and no other, for `heads` query heads
// each with its own key/value head: a layout model's panels hide its padding tokens so.
AttentionMask keyMask(const torch::Tensor &visible, int64_t heads);

// softmax(q·kᵀ·scale + mask)·v for q [B, heads, T, d] and k, v [B, kvHeads, S, d], query heads
// g·group … (g+1)·group−1 sharing key/value head g. Each head's output is multiplied by
// gate[h] (or gate[b, h]) when the gate is defined. Returns [B, T, heads·d], the heads side by side.
torch::Tensor attend(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v, const AttentionMask &mask,
                     double scale, const torch::Tensor &gate);

// Each token's position within its document, [B, T] int64: 0 at a document's first token.
torch::Tensor documentPositions(const torch::Tensor &documents);

} // namespace sculpt
