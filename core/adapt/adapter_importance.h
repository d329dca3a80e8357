#pragma once
// How much each adapter matters for a task (Pear's first step, and the bars the window draws):
// the first-order Taylor estimate of the loss change were the adapter removed, |Σ θ·∂L/∂θ|
// over its own parameters (a Lily's, not the experts all layers share), with L the
// cross-entropy summed over the task's images (after a warm-up fine-tune: the caller's).
// Torch inside: for adapt, session and plugin .cpp files and their tests.

#include "adapt/fine_tune.h"
#include "job/job.h"
#include "records/adapter_scores.h"
#include "runtime/model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

// Every adapter the model holds, in the model's order (linear sites, then MLP sites).
std::vector<AdapterPosition> adapterPositions(Model &model);

// Each adapter's score over `data`, in adapterPositions' order. Only adapter tensors take
// gradients here; the model is left as found. Throws std::invalid_argument for a model without
// adapters or no images, Cancelled on request.
std::vector<AdapterScore> adapterImportance(Model &model, const LabelledImages &data, const JobContext &job);

} // namespace sculpt
