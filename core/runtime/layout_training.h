#pragma once
// Trains Sculpt's layout model (layout_model.h) from scratch on page layouts — DDPM's noise
// prediction on each page's panel boxes, conditioned on its panel count and aspect — and saves
// it as a folder (config.json + model.safetensors) the runtime runs as it is: what `sculpt-cli
// zoo --only layout` makes from OpenMantra. Deterministic: the same pages, options and thread
// count give the same bytes. Torch-free.

#include "job/job.h"
#include "layout/page.h"
#include "runtime/families/layout/layout_config.h"
#include "runtime/layout_generator.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

struct LayoutTrainingOptions {
    LayoutConfig shape; // its defaults: 12 panels, hidden 128, 4 blocks of 4 heads, cosine over 1000 steps
    int64_t steps = 6000;
    int64_t batch = 64;
    double learningRate = 1e-3; // AdamW's peak, after a linear warm-up, then a cosine decay
    double weightDecay = 0.01;
    uint64_t seed = 0;
    int threads = 1; // intra-op threads, one by default for the reasons VitTrainingOptions gives
    int lossPoints = 10; // the training loss is reported averaged over this many stretches of steps
};

// A layout the trained model generated, which the saved folder must generate again.
struct LayoutSample {
    LayoutRequest request;
    uint64_t seed = 0;
    Page page;
};

struct LayoutTrainingResult {
    int64_t trainPages = 0, testPages = 0;
    int64_t skippedPages = 0; // without panels, or with more than max_panels
    std::vector<std::pair<int64_t, double>> loss; // (last step, mean noise MSE since the previous point)
    double testLoss = 0; // the noise MSE on the test pages, at steps and noise drawn from the seed
    std::vector<LayoutSample> samples; // one per panel count, 1 … max_panels
};

// Trains on `train`'s pages, measures on `test`'s (either may hold pages without panels or with
// too many: they are skipped) and writes `folder`/config.json and `folder`/model.safetensors
// atomically (the folder is created). Reports progress per step, throws Cancelled when asked to
// stop (nothing is written then), std::invalid_argument for options that do not go together or
// no page to train on.
LayoutTrainingResult trainLayoutModel(const std::vector<Page> &train, const std::vector<Page> &test,
                                      const LayoutTrainingOptions &options, const std::string &folder,
                                      const JobContext &job = {});

} // namespace sculpt
