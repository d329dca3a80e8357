#pragma once
// Adaptation runs (adapt, heads, heat) in a workspace file (internal to core/workspace;
// callers hold hdf5Lock()):
//   /adaptations/<id>/         attrs command, task, method, rank, epochs, trainable (int64),
//                              learning_rate, seed (uint64), validation_accuracy, test_accuracy
//                              (NaN: not measured), strategy, mask (negative: none), per_layer
//                              (int64, 0 or 1), masked_validation_accuracy, output,
//                              parameters_before, multiply_adds_before, parameters_after,
//                              multiply_adds_after (int64), model_hash, date, seconds
//   /adaptations/<id>/curve    int64 epoch[n]; float64 train_loss[n], validation_accuracy[n]
//   /adaptations/<id>/scores   float64[layers, heads], row-major as HeadScores ([0, 0] for adapt)
//   /adaptations/<id>/masked   int64[m, 2]: the masked heads' (layer, head), in that order
//   /adaptations/<id>/data/<role>  attrs role, path, bytes (int64), content_hash (as evaluations')
// <id> numbers them in the order they were saved: "000001", "000002"…; groups under other
// names are not this version's: they are neither read nor touched.

#include "records/adaptation_record.h"

#include <hdf5.h>

#include <vector>

namespace sculpt {

// Every adaptation run in the file, in id order. Throws hdf5::Failure when one is damaged.
std::vector<AdaptationRecord> readAdaptations(hid_t file);

// Adds `records` under ids after the file's last, and sets their ids; a record that has an id
// already is written under it, replacing what the file holds there. Throws hdf5::Failure for
// scores whose values are not layers × heads.
void writeAdaptations(hid_t file, std::vector<AdaptationRecord> &records);

} // namespace sculpt
