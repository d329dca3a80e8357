#pragma once
// One attention head of a ViT as slices of its checkpoint's weights: the rows of q, k and v
// (or of the fused qkv projection) that compute it and the columns of the output projection
// that read it, under the checkpoint's own tensor names — what the window selects and takes
// the spectra of when a head is clicked. Torch-free.

#include "model/head_layout.h"

#include <cstdint>
#include <vector>

namespace sculpt {

class Checkpoint;
struct VitConfig;

// Head `head` of block `layer`, numbered as the model runs them (after pruned_heads, the heads
// left from 0, as attentionSites and the head scores number them): its query, key and value
// rows, then its output columns. Throws std::invalid_argument for a layer or head the model
// does not have, FileError for a projection the checkpoint lacks (or holds as low-rank
// factors, which have no rows of a head) or holds in another shape than the config implies.
std::vector<HeadSlice> vitHeadSlices(const Checkpoint &checkpoint, const VitConfig &config, int64_t layer, int64_t head);

} // namespace sculpt
