#pragma once
// What every Taylor importance score shares — HEAT's head scores, Pear's adapter scores: the
// task's loss over labelled images, run backwards batch by batch so that whatever requires a
// gradient accumulates it. Torch inside: for adapt and plugin .cpp files only.

#include "adapt/fine_tune.h"
#include "job/job.h"
#include "runtime/model.h"

#include <functional>
#include <string>

namespace sculpt {

// The cross-entropy summed (not averaged) over each batch's images, so a gradient is the sum of
// every image's own. `before(images)` runs before each batch's forward pass, `after()` after
// its backward pass; `what` names the progress reported. Throws std::invalid_argument for no
// images, Cancelled on request.
void backwardOverBatches(Model &model, const LabelledImages &data, const std::string &what, const JobContext &job,
                         const std::function<void(int64_t)> &before, const std::function<void()> &after);

} // namespace sculpt
