#pragma once
// Pear's first step: how much each adapter matters for the task. The first-order Taylor
// estimate of the loss change were the adapter removed, |Σ θ·∂L/∂θ| over its own parameters,
// with L the cross-entropy summed over the task's images (after a warm-up fine-tune: the
// caller's). Torch inside: for plugin .cpp files and their tests.

#include "adapt/fine_tune.h"
#include "job/job.h"
#include "runtime/model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

// One adapter where it sits: on a linear site (LoRA) or beside a block's MLP (bottleneck).
struct AdapterPosition {
    std::string site; // the linear site's or the MLP site's name
    int64_t layer = -1;
    std::string role; // the linear site's role ("q", "v" …), "mlp" beside an MLP
    std::string kind; // the adapter's: "lora", "bottleneck" …
    int64_t parameters = 0;
};

struct AdapterScore {
    AdapterPosition position;
    double score = 0;
};

// Every adapter the model holds, in the model's order (linear sites, then MLP sites).
std::vector<AdapterPosition> adapterPositions(Model &model);

// Each adapter's score over `data`, in adapterPositions' order. Only adapter tensors take
// gradients here; the model is left as found. Throws std::invalid_argument for a model without
// adapters or no images, Cancelled on request.
std::vector<AdapterScore> adapterImportance(Model &model, const LabelledImages &data, const JobContext &job);

} // namespace sculpt
