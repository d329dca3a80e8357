#pragma once
// HEAT's three Taylor-expansion importance scores of attention heads (Zhong & Zhou, 2024) —
// weights, activations, gate — and the two baselines they are measured against (magnitude,
// random), registered as core's head-score strategies (core/adapt/head_scoring.h). Torch-free.

namespace sculpt {
void registerHeadScoreStrategies();
}
