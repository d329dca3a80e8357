#pragma once
// LLaVA-style vision-language models in LibTorch: a CLIP, SigLIP or ViT tower (the ViT family
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
    // shape the config implies. A fresh HiMix model's _img tensors start as any fresh norm and
    // projection do (ones, N(0, 0.02)).
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
    //
    // HiMix takes the image tokens out of each row (every row must hold as many) and its text
    // runs at positions 0 … on its own: logits and hidden are [B, T − image tokens, …].
    ModelOutput forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter = {}) const override;
    // Text only: an image token here is refused (its features need prefill()).
    torch::Tensor step(const torch::Tensor &tokens, KvCache *cache = nullptr) const override;
    std::optional<ImagePrompt> imagePrompt() const override;
    std::optional<int64_t> decoderMacs(const AnswerShape &answer) const override
    {
        return sculpt::decoderMacs(config_.text, answer, config_.himix, products());
    }
    // HiMix puts the images' keys and values at the front of the cache, so its images must
    // come before anything else is cached.
    torch::Tensor prefill(const torch::Tensor &tokens, const torch::Tensor &pixels, KvCache *cache) const override;
    // The images' tokens as the decoder reads them: [N, imageTokens, decoder width].
    torch::Tensor imageFeatures(const torch::Tensor &pixels) const;

    // The decoder's sites, HiMix's k_img and v_img per layer, then the projector's two layers
    // (role "projector"); the tower's are not offered yet, so passes change the decoder alone.
    std::vector<LinearSite> linearSites() override;
    std::vector<AttentionSite> attentionSites() override { return decoder_.attentionSites(); }
    std::vector<std::pair<std::string, torch::Tensor>> parameters() override;
    std::vector<std::string> convertToHimix() override;
    // The folder's config.json with the decoder's section written anew (passes change only the
    // decoder), and every tensor under the newer generation's names (model.language_model.…).
    std::string hfConfigJson() const override;
    std::vector<std::pair<std::string, std::string>> folderFiles() const override;
    std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(bool factorized) override;

private:
    // The decoder's products, with HiMix's image keys and values.
    DecoderProducts products() const;
    // HiMix's way for the image into one decoder layer.
    struct ImageAttention {
        torch::Tensor norm; // RMSNorm weight
        Linear k, v;
    };
    // Each layer's keys and values of images' tokens features [B, N, dim].
    AttentionPrefix imageKeys(const torch::Tensor &features) const;
    // The embedded prompt [B, T, dim] with the images' features in its image tokens (LLaVA).
    torch::Tensor embedWithImages(const torch::Tensor &tokens, const torch::Tensor &pixels) const;
    // HiMix: the text's embeddings [B, T − n, dim] and the images' features [B, n, dim], n the
    // image tokens in each row.
    std::pair<torch::Tensor, torch::Tensor> splitImages(const torch::Tensor &tokens, const torch::Tensor &pixels) const;

    LlavaConfig config_;
    Vit tower_;
    Linear projectorIn_, projectorOut_;
    Llama decoder_;
    std::vector<ImageAttention> imageAttention_; // per decoder layer; empty unless HiMix
};

} // namespace sculpt
