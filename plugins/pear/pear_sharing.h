#pragma once
// Pear's prune-and-share: the adapters with the lowest importance go, and each position that
// loses its adapter is served by a kept adapter of the same kind and shape, through a
// per-position scale (a trainable scalar, 1 at first) so the positions it serves can still
// differ; the shared adapter keeps training at all of them. The knowledge checkpoint keeps
// what a pruned LoRA learned: its update (α/r)·B·A is folded into its layer's frozen weight
// before the adapter goes, so the pruned model starts from everything the full one knew.
// Torch inside: for plugin .cpp files and their tests.

#include "adapt/fine_tune.h"
#include "job/job.h"
#include "pear/adapter_importance.h"
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

// The ⌊p·N⌋ lowest-scored positions (ties: the later position first), as PearPlan::pruned.
std::vector<bool> weakestAdapters(const std::vector<AdapterScore> &scores, double p);

// Plans pruning by `scores` (adapterImportance's, on this model) and sharing by `rule`;
// `calibration` is read by the output rule only. Throws std::invalid_argument for p outside
// [0, 1] or scores of another model.
PearPlan planPear(Model &model, const std::vector<AdapterScore> &scores, double p, ShareRule rule,
                  const LabelledImages &calibration, const JobContext &job);

// An adapter serving another position: `scale`·adapter(x), the adapter's own tensors trained
// where it sits; only the scale belongs to this position.
class SharedAdapter : public Adapter {
public:
    SharedAdapter(std::shared_ptr<Adapter> adapter, torch::Tensor scale);
    std::string kind() const override { return "shared " + adapter_->kind(); }
    torch::Tensor operator()(const torch::Tensor &x) const override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() const override;
    const std::shared_ptr<Adapter> &adapter() const { return adapter_; }
    const torch::Tensor &scale() const { return scale_; }

private:
    std::shared_ptr<Adapter> adapter_;
    torch::Tensor scale_;
};

// Carries the plan out: each pruned adapter detached — with `knowledgeCheckpoint` its LoRA
// update folded into its layer's weight first — and, with `share`, its position served by a
// SharedAdapter. Returns the new scales (to train with the kept adapters). Throws
// std::invalid_argument, before any change, for a checkpoint of an adapter that is not LoRA
// (a bottleneck is not linear: nothing to fold).
std::vector<torch::Tensor> applyPear(Model &model, const PearPlan &plan, bool knowledgeCheckpoint, bool share);

} // namespace sculpt
