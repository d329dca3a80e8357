#pragma once
// The learning-rate schedule the demo models train with (llama_training, vit_training).
// Torch inside: include from .cpp files only.

#include <torch/optim/adamw.h>

#include <cstdint>

namespace sculpt {

// The rate at `step` (0-based) of `steps`: a linear warm-up over the first 5 % of the steps
// keeps Adam's first, badly estimated steps small; a cosine decay to 0 lets the last epoch
// settle.
double warmupCosineRate(double peak, int64_t step, int64_t steps);

// Sets every parameter group of an AdamW optimizer to `rate`.
void setLearningRate(torch::optim::AdamW &optimizer, double rate);

} // namespace sculpt
