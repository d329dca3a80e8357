#pragma once
// The exact singular spectra of an attention head's own slices of its block's weights (the
// rows of q, k and v that compute it, the columns of o that read it): how much of each
// projection one head uses. Torch-free; the slices come from the family's head layout
// (runtime/families/vit/vit_head_slices.h).

#include "analysis/spectrum.h"
#include "job/job.h"
#include "model/head_layout.h"

#include <vector>

namespace sculpt {

class Checkpoint;

// One exact spectrum per slice, in order, named as the slice is. contentHash stays empty: a
// slice is no stored tensor, and its spectrum never goes into a workspace. Throws FileError for
// a tensor the checkpoint lacks or that is not a matrix, a slice outside it, or non-finite
// entries; Cancelled on request.
std::vector<TensorSpectrum> headSpectra(const Checkpoint &checkpoint, const std::vector<HeadSlice> &slices,
                                        const JobContext &job = {});

} // namespace sculpt
