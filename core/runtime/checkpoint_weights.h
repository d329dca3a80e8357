#pragma once
// Copying a model's weights out of a checkpoint, checked against the shapes its config
// implies — what every architecture's loader does. Torch inside: for runtime .cpp files.

#include "runtime/linear.h"

#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

// The named tensor as float32 on `device`. Throws FileError naming the tensor and both shapes
// when it is missing or not `shape`.
torch::Tensor loadWeight(const Checkpoint &checkpoint, const std::string &name, const std::vector<int64_t> &shape,
                         torch::Device device);

// The factors A [out, r] and B [r, in] of projection `name` when a compressed checkpoint
// stores it as name.weight_a and name.weight_b instead of name.weight; nothing otherwise.
std::optional<Linear::Factors> loadFactors(const Checkpoint &checkpoint, const std::string &name, int64_t out,
                                           int64_t in, torch::Device device);

} // namespace sculpt
