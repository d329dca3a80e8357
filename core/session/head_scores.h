#pragma once
// Scoring heads, as `sculpt-cli heads` and (later) the window's head-score view run it: adapters
// fine-tuned on an image task's training images, then every attention head scored there by one
// strategy. Torch-free.

#include "job/job.h"
#include "records/head_scores.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

struct HeadScoreRequest {
    std::string task;     // "t1", "t2", "t3" (core/data/image_task.h)
    std::string dataRoot; // the folder with the tasks' models/ and datasets/
    std::string strategy; // a registered head-score strategy
    std::string adapter = "lora"; // "lora", "bottleneck" or "none": what trains before scoring
    int64_t rank = 8;
    int epochs = 10;      // 0: score the model as it is
    uint64_t seed = 0;
    std::string config;   // a ViT's sidecar; empty for none
};

struct HeadScoreRun {
    HeadScores scores;
    double validationAccuracy = 0; // on the task's 200 validation images, when scored
    int64_t trainable = 0;         // tensors' elements fine-tuned before scoring
};

// The registered strategies' names, in order.
std::vector<std::string> headScoreStrategyNames();

// Throws FileError for a task's or the model's file it cannot use, std::invalid_argument for
// a request it cannot run (an unknown strategy or adapter, a model that is not a vision model),
// Cancelled on request.
HeadScoreRun scoreHeads(const Checkpoint &checkpoint, const HeadScoreRequest &request, const JobContext &job);

} // namespace sculpt
