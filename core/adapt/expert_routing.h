#pragma once
// What the routers of adapters that mix experts (Lily) do on a task's images: for each
// adapted layer, the mean weight each expert gets over every token of the images. Torch
// inside: for adapt and session .cpp files only.

#include "adapt/fine_tune.h"
#include "records/expert_routing.h"
#include "runtime/model.h"

namespace sculpt {

// Over the first `count` images of `data` (fewer when there are fewer). Empty when no adapter
// of the model mixes experts.
ExpertRouting expertRouting(Model &model, const LabelledImages &data, int64_t count = 256);

} // namespace sculpt
