#pragma once
// Head scores as the records hold them: a [layers × heads] table from per-layer rows.

#include "records/head_scores.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace sculpt {

// Throws std::invalid_argument when the layers have different numbers of heads.
HeadScores headScores(const std::string &strategy, const std::vector<torch::Tensor> &perLayer);

} // namespace sculpt
