#pragma once
// Pruning adapters, as `sculpt-cli pear` and the window's Prune adapters… run it: adapters
// fine-tuned on an image task (the warm-up), each scored by its first-order Taylor importance,
// the weakest pruned by a registered method (Pear: the positions that lose theirs served by
// kept ones, the knowledge checkpoint keeping what they learned), then fine-tuned on and
// measured. Torch-free.

#include "job/job.h"
#include "records/adapter_scores.h"
#include "session/adaptation.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

struct PruneAdaptersRequest {
    std::string task, dataRoot, config; // as AdaptRequest's
    std::string method = "pear";        // a registered adapter pruning (adapterPruningNames)
    std::string adapter = "lora";       // the adapter kind trained, scored and pruned
    int64_t rank = 8;
    int64_t experts = 4;                // Lily's
    int warmup = 10;                    // epochs before scoring, ≥ 1
    int epochs = 10;                    // epochs after pruning; 0: measured as pruned
    double learningRate = 1e-2;
    uint64_t seed = 0;
    double prune = 0.5;                 // p
    std::string share = "depth";        // a share rule of the method, or "none": plain pruning
    bool knowledgeCheckpoint = true;
    // Where to write the result as a PEFT folder — the kept LoRA adapters, the frozen ones the
    // checkpoint keeps, which module each shared one serves and at what scale, the classifier —
    // that `merge` folds into the base; nowhere when empty. LoRA only: refused before training
    // for other kinds.
    std::string output;
};

struct PruneAdaptersRun {
    std::vector<AdaptationEpoch> curve; // the warm-up, then training on (numbered on)
    std::vector<AdapterScore> scores;   // every adapter position's, after the warm-up
    AdapterSharing sharing;
    double validationAccuracy = 0;       // after the warm-up, every adapter in place
    double prunedValidationAccuracy = 0; // right after pruning, before training on
    double finalValidationAccuracy = 0;  // after training on
    double testAccuracy = 0;             // of the final model
    int64_t trainable = 0;               // elements trained after pruning (adapters, scales, classifier)
    // Adapter elements an adapter folder holds before and after pruning, each shared tensor
    // once: after, the kept adapters, the scales and the frozen ones the checkpoint keeps.
    int64_t adapterParametersBefore = 0, adapterParametersAfter = 0;
    PredictionPreview preview;           // before: every adapter after the warm-up
    ExpertRouting routing;               // of adapters that mix experts (Lily), at the end; else empty
};

// The registered prunings' names, in order, and each one's share rules.
std::vector<std::string> adapterPruningNames();
std::vector<std::string> shareRulesOf(const std::string &method);

// Throws FileError for a file it cannot use, std::invalid_argument for a request it cannot run
// (an unknown method, adapter kind or share rule, p outside [0, 1], a warm-up under one epoch,
// a model that is not a vision model, an output for adapters PEFT cannot hold) — all before any
// training — FileError for an output that cannot become a folder, and Cancelled on request. `onEpoch` runs on
// the job's thread after each epoch of either training.
PruneAdaptersRun pruneAdapters(const Checkpoint &checkpoint, const PruneAdaptersRequest &request,
                               const JobContext &job, const std::function<void(const AdaptationEpoch &)> &onEpoch = {});

} // namespace sculpt
