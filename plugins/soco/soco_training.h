#pragma once
// SoCo's optimisation (Li et al., 2025, "Optimizing Singular Spectrum for Large Language Model
// Compression"): every targeted weight is written W = A·diag(σ)·B from its SVD and runs as
// W' = A·diag(σ ⊙ g(s))·B with a learnable score s per component, g(s) = max(s, 0) ≥ 0 —
// scores may exceed 1, so kept components can compensate for pruned ones. The scores are
// trained on calibration data to match the original model's predictions — its next-token
// distribution on text, its class distribution on images — (KL),
// with a term driving the achieved ratio to the target and a sparsity term on g(s):
//   1. coarse compression — large steps until the ratio is reached;
//   2. refinement — a straight-through gradient lets scores near zero switch back in and out;
//   3. sparsification — the mask is fixed (the components kept are the highest-scoring ones
//      that fit the target, across the whole model), and the kept scores are fine-tuned.
// Ranks therefore differ per layer: the scores, not σ order, decide. Torch inside.

#include "compress/calibration.h"
#include "compress/compressed_model.h"
#include "compress/pass.h"
#include "soco/soco_schedule.h"

namespace sculpt {

struct ScoredLayer {
    std::string name;
    Linear *linear;                 // the model's site, replaced while training
    torch::Tensor left, sigma, right; // A [out, p], σ [p], B [p, in]: W = A·diag(σ)·B
    torch::Tensor bias;             // or undefined
};

CompressedModel trainSoco(std::shared_ptr<Model> model, std::vector<ScoredLayer> layers, const Calibration &calibration,
                          double targetRatio, const SocoSchedule &schedule, const CompressionRequest &request,
                          const JobContext &job);

} // namespace sculpt
