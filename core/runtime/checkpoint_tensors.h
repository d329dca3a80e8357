#pragma once
// Writing a model's linear layers back under checkpoint names, the part of every family's
// export that is the same. Torch inside: for runtime .cpp files.

#include "runtime/linear.h"

#include <string>
#include <utility>
#include <vector>

namespace sculpt {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// `linear` as layer `name` of a checkpoint: low-rank and `factorized`, as name.weight_a
// [out, k] (its scale folded in) and name.weight_b [k, in]; otherwise its weight under
// name.weight, stored [in, out] when `transposed` (GPT-2's Conv1D). Then its bias.
void appendLinear(NamedTensors &out, const std::string &name, const Linear &linear, bool factorized,
                  bool transposed = false);

} // namespace sculpt
