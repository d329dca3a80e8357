#pragma once
// Scoring heads, as `sculpt-cli heads` and (later) the window's head-score view run it: adapters
// fine-tuned on an image task's training images, then every attention head scored there by one
// strategy. Torch-free.

#include "job/job.h"
#include "session/adaptation.h"
#include "records/head_scores.h"
#include "records/model_cost.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

struct HeadScoreRequest {
    std::string task;     // "t1", "t2", "t3" (core/data/image_task.h)
    std::string dataRoot; // the folder with the tasks' models/ and datasets/
    std::string strategy; // a registered head-score strategy
    std::string adapter = "lora"; // an adapter kind (adapterKindNames) or "none": what trains before scoring
    int64_t rank = 8;
    int64_t experts = 4;  // Lily's
    int epochs = 10;      // 0: score the model as it is
    uint64_t seed = 0;
    std::string config;   // a ViT's sidecar; empty for none
    double learningRate = 1e-2; // fine-tuning's peak rate (1e-3 left fashion-vit at 42 % on t1, 1e-2 at 65 %)
    // HEAT: after scoring, mask this fraction of the heads (lowest scores first; none when
    // negative), ranked across the model or within each layer, and fine-tune the adapters and
    // classifier again for `epochs` with those heads masked.
    double mask = -1;
    bool perLayer = false;
    // With a mask: where to write the final model as a Hugging Face folder, its LoRA adapters
    // merged and the masked heads removed (config.json's pruned_heads); nowhere when empty.
    std::string output;
};

struct HeadScoreRun {
    HeadScores scores;
    double validationAccuracy = 0; // on the task's 200 validation images, when scored
    int64_t trainable = 0;         // tensors' elements fine-tuned before scoring
    // With a mask: the heads masked, then accuracy after fine-tuning on with them masked.
    std::vector<LayerHead> masked;
    double maskedValidationAccuracy = 0;
    double testAccuracy = 0; // on the task's test images, of the final model
    // Each epoch of fine-tuning; with a mask the second training numbers on (epochs + 1 …).
    std::vector<AdaptationEpoch> curve;
    PredictionPreview preview; // with a mask: before is the adapted model with every head
    // With an output: the model's cost with every head and with the masked ones removed.
    ModelCost before, after;
};

// The registered strategies' names, in order.
std::vector<std::string> headScoreStrategyNames();

// Scores the heads (and with request.mask ≥ 0 masks and fine-tunes on, measuring on the test
// images, and with request.output writes the final model there). Throws FileError for a
// task's or the model's file it cannot use or an output that cannot become an export,
// std::invalid_argument for a request it cannot run (an unknown strategy or adapter, a model
// that is not a vision model, an output without a mask or with bottleneck adapters, which no
// Hugging Face ViT holds, or for a model whose layout a Hugging Face config cannot say) — both
// before any training — and Cancelled on request.
// `onEpoch` runs on the job's thread after each epoch of either training.
HeadScoreRun scoreHeads(const Checkpoint &checkpoint, const HeadScoreRequest &request, const JobContext &job,
                        const std::function<void(const AdaptationEpoch &)> &onEpoch = {});

} // namespace sculpt
