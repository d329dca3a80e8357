#pragma once
// Removing attention heads for good — what masking them decided, made smaller for export:
// their q/k/v rows and output-projection columns go. Torch inside: for adapt, session and
// plugin .cpp files only.

#include "records/head_scores.h"
#include "records/model_cost.h"
#include "runtime/model.h"

#include <vector>

namespace sculpt {

// The model's cost on one image of its format, counted by watching a forward pass: every
// linear layer's multiply-adds (a low-rank one's two thin products) and each attention
// site's 2·heads·T²·headDim. Adapters count as parameters, not as products.
ModelCost forwardCost(VisionModel &model);

struct HeadPruning {
    ModelCost before, after;
};

// Removes `heads` ((layer, head) as the model numbers them now) from the model, each layer's
// at once. Throws std::invalid_argument, before any change, for a head the model does not
// have or a projection with adapters attached (merge them first), and as Model::removeHeads
// does for a family that cannot.
HeadPruning pruneHeads(VisionModel &model, const std::vector<LayerHead> &heads);

} // namespace sculpt
