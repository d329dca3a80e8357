#pragma once
// Pear's prune-and-share: the adapters with the lowest importance go, and each position that
// loses its adapter is served by a kept adapter of the same kind and shape (a SharedAdapter,
// runtime/adapter.h) through a per-position scale so the positions it serves can still
// differ; the shared adapter keeps training at all of them. The knowledge checkpoint keeps
// what a pruned adapter learned: it stays at its position frozen (a FrozenAdapter: stored,
// never trained again, folded into the weight when the model is merged), and the shared
// adapter enters there at scale 0 — so the pruned model starts computing exactly what the
// full one did. Without the checkpoint the scale starts at 1: the shared adapter stands in
// for the pruned one.
// Torch inside: for plugin .cpp files and their tests.

#include "adapt/adapter_importance.h"
#include "adapt/fine_tune.h"
#include "job/job.h"
#include "runtime/adapter.h"
#include "runtime/model.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace sculpt {

// How a pruned position finds the adapter that serves it, among the kept ones of its kind and
// shape:
//   depth  — the nearest block (ties: the same role, then the shallower);
//   output — the one whose output on the position's own inputs (calibration images run through
//            the model) is closest, in squared error, to the pruned adapter's (ties: depth's).
enum class ShareRule { Depth, Output };

struct PearPlan {
    std::vector<AdapterPosition> positions; // adapterPositions' order
    std::vector<bool> pruned;
    // Per position: the kept position whose adapter serves it; −1 for kept positions and for
    // pruned ones nothing can serve (no kept adapter of its kind and shape).
    std::vector<int64_t> servedBy;
};

// Plans pruning by `scores` (adapterImportance's, on this model) and sharing by `rule`;
// `calibration` is read by the output rule only. Throws std::invalid_argument for p outside
// [0, 1] or scores of another model.
PearPlan planPear(Model &model, const std::vector<AdapterScore> &scores, double p, ShareRule rule,
                  const LabelledImages &calibration, const JobContext &job);

// Carries the plan out: each pruned adapter detached — with `knowledgeCheckpoint` kept in
// place frozen — and, with `share`, its position served by a SharedAdapter. Returns the new
// scales (to train with the kept adapters). Throws std::invalid_argument for a plan of another
// model.
std::vector<torch::Tensor> applyPear(Model &model, const PearPlan &plan, bool knowledgeCheckpoint, bool share);

} // namespace sculpt
