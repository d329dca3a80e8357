#pragma once
// Where one attention head lies in its block's weights: which rows of the query, key and value
// projections compute it and which columns of the output projection read it. The runtime's
// head surgery (headInputRows in runtime/model.h) and the head spectra
// (analysis/head_spectra.h) both go by these spans, so they cannot disagree on a layout.

#include <array>
#include <cstdint>
#include <string>

namespace sculpt {

struct HeadLayout {
    int64_t layer = 0; // which block, for messages
    int64_t heads = 0, kvHeads = 0, headDim = 0;
    bool fused = false;           // one projection computes q, k and v
    bool fusedHeadsFirst = false; // its rows run (head, q/k/v, dim) rather than as q, k and v blocks
};

// Rows (or columns) [first, first + count) of one of a block's projections.
struct HeadSpan {
    size_t input = 0; // which input projection: 0 for a fused one, else 0 q, 1 k, 2 v
    int64_t first = 0, count = 0;
};

// Head h's query, key and value rows, in that order; for k and v those of the key/value head
// it reads (query head h reads key/value head h / (heads / kvHeads)). Throws
// std::invalid_argument for a head the layer does not have.
std::array<HeadSpan, 3> headInputSpans(const HeadLayout &layout, int64_t head);
// The columns of the output projection that read head h.
HeadSpan headOutputSpan(const HeadLayout &layout, int64_t head);

// One of a head's four slices of a checkpoint's stored [out, in] weights: rows of q, k or v,
// or columns of o.
struct HeadSlice {
    std::string name;   // how a researcher reads it, e.g. "….query.weight · head 3 (rows 48–63)"
    std::string tensor; // the checkpoint's tensor name
    bool columns = false;
    int64_t first = 0, count = 0;
};

} // namespace sculpt
