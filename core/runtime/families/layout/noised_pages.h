#pragma once
// Pages as the layout model learns from them: each page's panel boxes as tokens, noised to a
// diffusion step, and DDPM's loss on the noise the model sees in them. Training draws the steps
// and the noise at random; calibration (compress/calibration.h) from a fixed seed. Torch inside:
// for runtime and compress .cpp files only.

#include "layout/page.h"
#include "runtime/model.h"

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace sculpt {

// Pages as the model reads them: boxes [N, maxPanels, 4] in [−1, 1] (padding 0), which tokens
// are panels [N, maxPanels] bool, aspect [N]. Only pages with a size and 1 to maxPanels panels
// are in; `skipped` counts the others.
struct PageTensors {
    torch::Tensor boxes, panels, aspect;
    int64_t count = 0, skipped = 0;
};

// Whether the model can learn from `page`: it has a size and 1 to `maxPanels` panels.
bool modelReads(const Page &page, int64_t maxPanels);

PageTensors pageTensors(const std::vector<Page> &pages, int64_t maxPanels);

// What the model reads for `clean` boxes [B, P, 4] noised by `noise` (the same shape) to steps
// `timesteps` [B] of the schedule whose ᾱ is `alphas` [T].
ModelInput noisedPages(const torch::Tensor &clean, const torch::Tensor &panels, const torch::Tensor &aspect,
                       const torch::Tensor &timesteps, const torch::Tensor &noise, const torch::Tensor &alphas);

// The mean square between the `predicted` noise and the true `noise` over the panels alone:
// padding tokens' predictions mean nothing.
torch::Tensor noisePredictionLoss(const torch::Tensor &predicted, const torch::Tensor &noise, const torch::Tensor &panels);

} // namespace sculpt
