#pragma once
// SoCo's three stages and the weights of its objective, with the defaults a user gets.

#include "compress/pass.h"

#include <vector>

namespace sculpt {

struct SocoSchedule {
    bool whiten = true;              // decompose W·S (S: Cholesky of XᵀX) as SVD-LLM does, or W itself
    long coarseSteps = 150;          // stage 1: reach the target ratio quickly
    long refineSteps = 150;          // stage 2: components near the threshold switch in and out
    long sparsifySteps = 150;        // stage 3: mask fixed, kept scores fine-tuned
    long batchesPerStep = 4;
    double learningRate = 0.02;      // Adam on the scores, stages 1–2
    double fineTuneRate = 0.005;     // Adam on the kept scores, stage 3
    double ratioWeight = 20;         // λ_r on (soft ratio − target)²
    double sparsityWeight = 0.05;    // λ_s on the cost-weighted mean of g(s)
    uint64_t seed = 0;               // order in which calibration batches are visited
};

const std::vector<PassSetting> &socoSettings();
SocoSchedule socoSchedule(const CompressionRequest &request);

} // namespace sculpt
