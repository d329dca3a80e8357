#pragma once
// Sculpt's layout model: a small diffusion transformer (DiT) over a page's panels. Each panel
// is a token — its box, plus a learned embedding of its place in the reading order — and every
// block attends across the panels (the padding hidden), modulated by adaLN-Zero from one
// conditioning vector: the diffusion step, the page's aspect and its panel count. It predicts
// the noise in each box. Torch inside: include from runtime .cpp files only (model.h is how
// everything else sees it).

#include "runtime/attention.h"
#include "runtime/checkpoint_tensors.h"
#include "runtime/families/layout/layout_config.h"
#include "runtime/model.h"

#include <torch/types.h>

#include <vector>

namespace sculpt {

class WeightSource;

class LayoutTransformer : public LayoutModel {
public:
    // Builds the model from `weights`: a checkpoint's, each tensor checked against the shape
    // the config implies, or fresh ones for training — N(0, 0.02), biases 0, and DiT's zeros
    // for every modulation and the output projection, so each block starts as the identity.
    LayoutTransformer(const WeightSource &weights, const LayoutConfig &config);

    const LayoutConfig &layoutConfig() const override { return config_; }
    std::string family() const override { return "layout"; }
    torch::Device device() const override { return device_; }
    // input.boxes, panels, timesteps and aspect → the predicted noise [B, P, 4]; the hidden
    // states are every token's. Throws std::invalid_argument for a page without panels, more
    // tokens than max_panels or a step outside the schedule.
    ModelOutput forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter = {}) const override;
    // The box embedding (role "embed") and the conditioning MLPs ("conditioning") outside the
    // blocks; each block's modulation, q, k, v, o, fc1 and fc2; the head's modulation and its
    // output projection ("head").
    std::vector<LinearSite> linearSites() override;
    std::vector<AttentionSite> attentionSites() override;
    std::vector<std::pair<std::string, torch::Tensor>> parameters() override;
    std::string hfConfigJson() const override { return layoutConfigJson(config_); }
    std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(bool factorized) override;

private:
    struct Block {
        Linear modulation; // conditioning → shift, scale and gate of the attention and of the MLP
        Linear q, k, v, o, fc1, fc2;
        torch::Tensor headGate; // [heads] or undefined (AttentionSite::gate)
    };
    torch::Tensor conditioning(const ModelInput &input) const; // [B, dim]
    torch::Tensor runBlock(const Block &block, const torch::Tensor &x, const torch::Tensor &c,
                           const AttentionMask &mask) const;
    torch::Tensor norm(const torch::Tensor &x) const;
    NamedTensors embeddings() const; // the slot and panel-count tables

    LayoutConfig config_;
    torch::Device device_;
    Linear boxEmbedding_;
    torch::Tensor slots_;  // [maxPanels, dim]: a token's place in the reading order
    torch::Tensor counts_; // [maxPanels, dim]: row n − 1 for a page of n panels
    std::vector<Linear> time_, aspect_; // Linear → SiLU → Linear each
    std::vector<Block> blocks_;
    Linear headModulation_, head_;
};

} // namespace sculpt
