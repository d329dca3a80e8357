#pragma once
// The Vision-language view's runs in a workspace file (internal to core/workspace; callers
// hold hdf5Lock()):
//   /vision_language_runs/<id>/                    attrs prompt, max_tokens (int64), date, seconds
//   /vision_language_runs/<id>/data/<role>         attrs role, path, bytes (int64), content_hash (as evaluations')
//   /vision_language_runs/<id>/images/<n>/         attrs file, index (int64, −1: a file of its own),
//                                                  question, scored (int64, 0 or 1)
//   /vision_language_runs/<id>/images/<n>/references  one string attribute per reference, "000000"…
//   /vision_language_runs/<id>/models/<n>/         attrs name, path; int64 decoder_macs[i], correct[i];
//                                                  float64 seconds[i]
//   /vision_language_runs/<id>/models/<n>/answers  one string attribute per image, "000000"…
// <n> numbers images and models in order from "000000"; <id> numbers the runs in the order
// they were saved, "000001", "000002"…; groups under other names are neither read nor touched.
// Workspaces written before the view existed have no such group: they hold no run.

#include "records/vision_language_run.h"

#include <hdf5.h>

#include <vector>

namespace sculpt {

// Every run in the file, in id order. Throws hdf5::Failure when one is damaged: a model's
// columns of other lengths than the images.
std::vector<VisionLanguageRun> readVisionLanguageRuns(hid_t file);

// Adds `runs` under ids after the file's last, and sets their ids; a run that has an id
// already is written under it, replacing what the file holds there.
void writeVisionLanguageRuns(hid_t file, std::vector<VisionLanguageRun> &runs);

} // namespace sculpt
