#pragma once
// Model diffs in a workspace file (internal to core/workspace; callers hold hdf5Lock()):
//   /diffs/<id>/                    attrs other_path, other_fingerprint, weights_a, weights_b
//                                   (hex), architecture, top_k,
//                                   subspace_k, spectra, algorithm (int64), date, seconds
//   /diffs/<id>/tensors/<n>/        attrs name_a, name_b, factorized_a, factorized_b, block,
//                                   rows, cols (int64; rows 0: not a matrix), role, norm_a,
//                                   norm_b, relative_distance, cosine, max_abs_difference,
//                                   stable_rank, subspace_overlap, subspace_k;
//                                   int64 shape_a, shape_b; float64 difference_spectrum,
//                                   spectrum_a, spectrum_b (descending; empty without spectra)
//   /diffs/<id>/only_in_a/<n>/      attrs name, factorized; int64 shape   (and only_in_b)
//   /diffs/<id>/reshaped/<n>/       attrs name_a, name_b; int64 shape_a, shape_b
// <n> numbers entries in order from "000000"; <id> numbers the diffs as they were saved.

#include "records/diff_record.h"

#include <hdf5.h>

#include <vector>

namespace sculpt {

// Every diff in the file, in id order. Throws hdf5::Failure when one is damaged.
std::vector<DiffRecord> readDiffs(hid_t file);

// Adds `diffs` under ids after the file's last, and sets their ids; one that has an id
// already is written under it, replacing what the file holds there.
void writeDiffs(hid_t file, std::vector<DiffRecord> &diffs);

} // namespace sculpt
