#pragma once
// What a run that fine-tunes a vision model on an image task leaves behind — `adapt` (one
// method trained and measured), `heads` (adapters trained, then every attention head scored),
// `heat` (heads scored, the weakest masked, trained on, the result written out) and `pear`
// (adapters scored, the weakest pruned and their positions shared, trained on): what was
// asked, the training curve, the accuracies, the scores, the heads masked or adapters pruned,
// and the model's cost before and after. Torch-free, so the workspace keeps it and the front ends show it again
// without running anything.

#include "records/adapter_scores.h"
#include "records/evaluation.h"
#include "records/expert_routing.h"
#include "records/head_scores.h"
#include "records/model_cost.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sculpt {

// One epoch of fine-tuning, for the curve a view draws.
struct AdaptationEpoch {
    // 1-based. heat trains twice, before scoring and again with the heads masked: the second
    // run numbers on (epochs + 1 … 2 · epochs), so one curve shows both.
    int64_t epoch = 0;
    double trainLoss = 0;          // mean over the epoch's batches
    double validationAccuracy = 0; // on the task's validation images after the epoch
};

struct AdaptationRecord {
    // Accuracies a run did not measure (a scoring with no training, heads never masked) stay
    // NaN, so a view can tell "not measured" from 0 %.
    static constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

    std::string id;      // its name under /adaptations: given by Workspace::save(), empty before
    std::string command; // "adapt", "heads", "heat" or "pear": which use case ran
    std::string task;    // "t1", "t2", "t3" (core/data/image_task.h)
    // adapt's method, or the adapter that trained before scoring: "linear", "full", "lora",
    // "bottleneck", "none".
    std::string method;
    int64_t rank = 0;   // LoRA's or the bottleneck's rank as asked (unused by the others)
    int64_t epochs = 0; // as asked (heat: each training's; pear: the warm-up's and after's together); 0: heads scored on the model as it is
    double learningRate = 0;
    uint64_t seed = 0;     // with the rest of the request, enough to run it again
    int64_t trainable = 0; // tensors' elements fine-tuned: what the method costs in training
    std::vector<AdaptationEpoch> curve;
    // The epoch after which the model changed and training went on (heat masked heads, pear
    // pruned adapters): where a curve marks it. 0: it did not.
    int64_t changedAfter = 0;

    double validationAccuracy = kNotMeasured; // of the model scored, or adapt's last epoch
    double testAccuracy = kNotMeasured;       // of the final model, on the task's test images

    // heads and heat: the strategy (scores.strategy) and its layers × heads scores; empty for adapt.
    HeadScores scores;
    // heat: the fraction of heads masked (negative: none), ranked across the model or within
    // each layer, the heads that went (in (layer, head) order), and validation accuracy after
    // training on without them.
    double mask = -1;
    bool perLayer = false;
    std::vector<LayerHead> masked;
    // heat and pear: validation accuracy after training on without the heads masked or the
    // adapters pruned.
    double maskedValidationAccuracy = kNotMeasured;

    // pear: every adapter position's importance after the warm-up (scored positions in the
    // model's order), what pruning did with them, validation accuracy right after pruning
    // (before training on: what the knowledge checkpoint and sharing keep), and the adapters'
    // elements before and after, each shared tensor once. Empty, NaN and 0 for the others.
    std::vector<AdapterScore> adapterScores;
    AdapterSharing sharing;
    double prunedValidationAccuracy = kNotMeasured;
    int64_t adapterParametersBefore = 0, adapterParametersAfter = 0;

    // Runs whose adapters mix experts (Lily): each router's mean weight per expert over the
    // task's test images, after training. Empty for the others.
    ExpertRouting routing;

    // The side-by-side grid: the classes the model the run started from and its result predict
    // for the task's first test images (at most kPreviewImages), and the starting model's test
    // accuracy and trained elements. The starting model is, for adapt, the model as opened (its
    // own classifier: it has not seen the task); for heat, the adapted model with every head,
    // before masking. Empty (and NaN) for heads, which changes no model.
    static constexpr int64_t kPreviewImages = 48;
    std::vector<int64_t> referencePredictions, predictions;
    double referenceTestAccuracy = kNotMeasured;
    int64_t referenceTrainable = 0;

    // The folder the result was written to (empty when none), and the model's cost with every
    // head and with the masked ones removed: what the surgery saved. Zero when not measured.
    std::string output;
    ModelCost before, after;

    std::vector<DataFile> data; // the task's images, labels, the model's config … as they were
    std::string modelHash;      // of every tensor's stored bytes: tells runs on earlier weights apart
    std::string date;           // when it finished: ISO 8601, UTC ("2025-01-31T17:04:05Z")
    double seconds = 0;         // how long it ran
};

} // namespace sculpt
