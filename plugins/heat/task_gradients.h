#pragma once
// What every Taylor score shares: the task's loss over labelled images, run backwards batch by
// batch so that whatever requires a gradient accumulates it.

#include "adapt/fine_tune.h"
#include "records/head_scores.h"
#include "job/job.h"
#include "runtime/model.h"

#include <functional>
#include <string>

namespace sculpt {

// The cross-entropy summed (not averaged) over each batch's images, so a gradient is the sum of
// every image's own. `before(images)` runs before each batch's forward pass, `after()` after
// its backward pass.
void backwardOverBatches(Model &model, const LabelledImages &data, const std::string &what, const JobContext &job,
                         const std::function<void(int64_t)> &before, const std::function<void()> &after);

// A [layers × heads] score table from per-layer rows.
HeadScores headScores(const std::string &strategy, const std::vector<torch::Tensor> &perLayer);

} // namespace sculpt
