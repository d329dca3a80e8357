#pragma once
// LLaVA-style vision-language models in LibTorch: a CLIP or SigLIP tower (the ViT family
// without a head), the projector onto the decoder's width, and a LLaMA-family decoder whose
// prompt carries the images' tokens. Torch inside: include from runtime .cpp files only
// (model.h is how everything else sees it).

#include "runtime/families/llama/llama.h"
#include "runtime/families/llava/llava_config.h"
#include "runtime/families/vit/vit.h"

namespace sculpt {

class Llava : public CausalModel {
public:
    // Everything from `weights` under the config's renames, each tensor checked against the
    // shape the config implies.
    Llava(const WeightSource &weights, const LlavaConfig &config);

    const LlavaConfig &config() const { return config_; }

    std::string family() const override { return "llava"; }
    torch::Device device() const override { return decoder_.device(); }
    int64_t vocabSize() const override { return decoder_.vocabSize(); }
    int64_t contextLength() const override { return decoder_.contextLength(); }
    KvCache emptyCache() const override { return decoder_.emptyCache(); }
    // input.tokens [B, T] holds config().imageTokens() image tokens per image of input.pixels
    // [N, C, H, W] (normalised as the tower's config says), expanded as transformers'
    // processor writes the prompt; they take the images' projected features in order, row by
    // row. Without pixels, text alone. Throws std::invalid_argument when the counts disagree.
    // hiddenAfter and hidden are the decoder's.
    ModelOutput forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter = {}) const override;
    // Text only: an image token here is refused (its features need forward()).
    torch::Tensor step(const torch::Tensor &tokens, KvCache *cache = nullptr) const override;
    // The images' tokens as the decoder reads them: [N, imageTokens, decoder width].
    torch::Tensor imageFeatures(const torch::Tensor &pixels) const;

    // The decoder's sites, then the projector's two layers (role "projector"); the tower's are
    // not offered yet, so passes change the decoder alone.
    std::vector<LinearSite> linearSites() override;
    std::vector<AttentionSite> attentionSites() override { return decoder_.attentionSites(); }
    std::vector<std::pair<std::string, torch::Tensor>> parameters() override;
    // Not written back yet: throws std::invalid_argument.
    std::string hfConfigJson() const override;
    std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(bool factorized) override;

private:
    LlavaConfig config_;
    Vit tower_;
    Linear projectorIn_, projectorOut_;
    Llama decoder_;
};

} // namespace sculpt
