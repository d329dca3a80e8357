#pragma once
// Evaluations in a workspace file (internal to core/workspace; callers hold hdf5Lock()):
//   /evaluations/<id>/             attrs metric, value, counted, count (int64), model_hash, date, seconds
//   /evaluations/<id>/data/<role>  attrs path, bytes (int64), content_hash
//   /evaluations/<id>/settings     one string attribute per setting
//   /evaluations/<id>/details      one float64 attribute per number
// <id> numbers them in the order they were saved: "000001", "000002"…

#include "records/evaluation.h"

#include <hdf5.h>

#include <vector>

namespace sculpt {

// Every evaluation in the file, in id order. Throws hdf5::Failure when one is damaged.
std::vector<Evaluation> readEvaluations(hid_t file);

// Adds `evaluations` under ids after the file's last, and sets their ids; an evaluation
// that has an id already is written under it, replacing what the file holds there.
void writeEvaluations(hid_t file, std::vector<Evaluation> &evaluations);

// The files a stored result was computed from, as `parent`/data/<role> groups (an evaluation's
// or a pass's): written into a new "data" group, read back in link order.
void writeDataFiles(hid_t parent, const std::vector<DataFile> &files);
std::vector<DataFile> readDataFiles(hid_t parent);

} // namespace sculpt
