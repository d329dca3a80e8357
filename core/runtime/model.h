#pragma once
// The one shape every model family has, whatever it reads (text, images) and however it was
// built (loaded from a checkpoint, or fresh for training): its linear sites and attention
// sites for surgery, its named tensors for training and export, and a batched forward pass
// that serves inference and autograd alike. LLaMA, GPT-2 and ViT implement it
// (runtime/families/); passes, training and the torch-free faces (language_model.h,
// image_classifier.h) use nothing else. Torch inside: for runtime, compress and plugin .cpp
// files only.

#include "runtime/families/layout/layout_config.h"
#include "runtime/families/llama/decoder_cost.h"
#include "runtime/image_prompt.h"
#include "runtime/linear.h"
#include "runtime/model_kind.h"

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

// A linear layer of the model under the checkpoint name of its weight, minus ".weight"
// ("model.layers.0.self_attn.q_proj"), with the role the inventory gives it (q, k, v, qkv, o,
// gate, up, down, fc1, fc2, conv for a patch embedding, head).
struct LinearSite {
    std::string name;
    std::string role;
    int64_t layer = -1; // the block it is in; −1 outside the blocks (patch embedding, head)
    Linear *linear = nullptr;
};

// One block's attention as head-level surgery sees it: query head h reads key/value head
// h / (heads / kvHeads); its output is columns h·headDim … (h+1)·headDim−1 of the output
// projection's input.
struct AttentionSite {
    int64_t layer = 0;
    int64_t heads = 0, kvHeads = 0, headDim = 0;
    std::vector<std::string> inputs; // the q, k and v sites, or the one fused site
    std::string output;              // the site that mixes the heads back
    // Multiplies each head's output before the output projection. Undefined (the default):
    // every head counts fully, at no cost. Set a [heads] tensor to gate heads, or [B, heads]
    // to gate them per input of a batch; with requires_grad its gradient is each head's
    // first-order importance.
    torch::Tensor *gate = nullptr;
    // A fused site's rows run head by head (head, q/k/v, dim) rather than as q, k and v blocks.
    bool fusedHeadsFirst = false;
};

// The rows of each of site.inputs that compute head h's query, key and value (for k and v,
// those of the key/value head it reads), in the order of site.inputs: int64 indices.
std::vector<torch::Tensor> headInputRows(const AttentionSite &site, int64_t head);
// The rows computing role 0 (q), 1 (k) or 2 (v) for every head, in head order (a key/value
// head's once), in the input site that computes the role: all of a separate projection's rows,
// a fused one's share (the role's block, or its slice of each head's rows): int64 indices.
torch::Tensor roleRows(const AttentionSite &site, size_t role);
// The columns of site.output that read head h: int64 indices.
torch::Tensor headOutputColumns(const AttentionSite &site, int64_t head);

// Where a block-level adapter sits: beside the block's MLP, reading the residual stream that
// the MLP's norm reads and adding to the stream what the MLP adds (AdaptFormer's parallel form).
struct MlpSite {
    std::string name; // its adapters' tensors are named name.down.weight …
    int64_t layer = 0;
    int64_t dim = 0;
    std::vector<std::shared_ptr<Adapter>> *adapters = nullptr;
};

// What a forward pass reads: token ids for language models, pixels for vision models, noised
// panel boxes with their page's conditioning for layout models.
struct ModelInput {
    torch::Tensor tokens; // [B, T] int64
    // [B, T] int64: the document each position belongs to, −1 for padding. A position sees
    // the positions of its own document up to itself, numbered from that document's start,
    // so several documents pack into one row. Undefined: each row is one document.
    torch::Tensor documents;
    torch::Tensor pixels; // [B, C, H, W] float32, normalised as the model's config says
    // Layout models: each page's panels as tokens [B, P, 4] float32 — (cx, cy, w, h) of a box
    // over the page's width and height, mapped from [0, 1] to [−1, 1], then noised to the
    // diffusion step `timesteps` [B] int64; which tokens are panels [B, P] bool (the first
    // `count` of each row: the others are padding, which no panel attends to); the page's
    // aspect, height / width, [B] float32.
    torch::Tensor boxes, panels, timesteps, aspect;

    static ModelInput ofTokens(torch::Tensor tokens, torch::Tensor documents = {})
    {
        ModelInput in;
        in.tokens = std::move(tokens);
        in.documents = std::move(documents);
        return in;
    }
    static ModelInput ofPixels(torch::Tensor pixels)
    {
        ModelInput in;
        in.pixels = std::move(pixels);
        return in;
    }
    static ModelInput ofLayouts(torch::Tensor boxes, torch::Tensor panels, torch::Tensor timesteps, torch::Tensor aspect)
    {
        ModelInput in;
        in.boxes = std::move(boxes);
        in.panels = std::move(panels);
        in.timesteps = std::move(timesteps);
        in.aspect = std::move(aspect);
        return in;
    }
};

struct ModelOutput {
    // [B, T, vocab] for language models, [B, classes] for vision models, and for layout models
    // the noise [B, P, 4] they see in each token's box (padding tokens' rows mean nothing).
    torch::Tensor logits;
    // The residual stream [B, T, dim] after each block asked for, in the order asked.
    std::vector<torch::Tensor> hidden;
};

// Every layer's keys and values for the positions seen so far, so each new token costs one
// position's work instead of the whole sequence's.
struct KvCache {
    std::vector<torch::Tensor> keys, values; // per layer [kvHeads, contextLength, headDim]
    int64_t length = 0;                      // positions filled
    // The first `prefix` of them hold keys and values without a position (HiMix's vision
    // tokens): the tokens' positions count from after them.
    int64_t prefix = 0;

    // Room for a whole context in every layer, none of it filled yet.
    static KvCache forContext(int64_t layers, int64_t kvHeads, int64_t contextLength, int64_t headDim,
                              torch::Device device);
};

class Model {
public:
    virtual ~Model() = default;

    virtual ModelKind kind() const = 0;
    virtual std::string family() const = 0; // "llama", "gpt2", "vit"
    virtual torch::Device device() const = 0;

    // Under autograd unless the caller holds a NoGradGuard or InferenceMode.
    virtual ModelOutput forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter = {}) const = 0;

    // Every linear layer, in depth order; those inside the blocks have layer ≥ 0. A tied
    // classifier is the embedding, not a site.
    virtual std::vector<LinearSite> linearSites() = 0;
    virtual std::vector<AttentionSite> attentionSites() = 0;
    // One per block for families that take block adapters; none by default.
    virtual std::vector<MlpSite> mlpSites() { return {}; }
    // Removes attention heads of block `layer` (numbered as attentionSites() numbers them now):
    // their q/k/v rows and output-projection columns go, the rest renumber from 0, and the
    // exported config says which went. The model then computes what it computed with those
    // heads' gates closed. Throws std::invalid_argument for a head the layer lacks, a site with
    // adapters attached (merge them first) or a family that cannot (the default).
    virtual void removeHeads(int64_t layer, const std::vector<int64_t> &heads);
    // Every tensor the model computes with, under its checkpoint name (a factored site's as
    // name.weight_a, name.weight_b; adapters' beside their sites): what training updates — mark the ones to train with
    // requires_grad_() — and what gradients are taken of.
    virtual std::vector<std::pair<std::string, torch::Tensor>> parameters() = 0;

    // What a Hugging Face folder of this model holds: config.json's text, and every tensor
    // under its checkpoint name as the family's files store it — a low-rank site as
    // name.weight_a [out, k] and name.weight_b [k, in] when `factorized`, else multiplied out
    // under name.weight. Throws FileError for a layout the family cannot write back.
    virtual std::string hfConfigJson() const = 0;
    virtual std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(bool factorized) = 0;
    // Further files of such a folder, by name with their text, that say how to run the model
    // (a vision-language model's preprocessor_config.json); none by default.
    virtual std::vector<std::pair<std::string, std::string>> folderFiles() const { return {}; }
};

// The linear sites inside the blocks (layer ≥ 0), in depth order: what the compression passes
// change. Embeddings, patch embeddings and classifiers are not among them.
std::vector<LinearSite> blockSites(Model &model);

// A causal language model: also one document at a time over a key/value cache, the fast path
// for decoding and for scoring a text.
class CausalModel : public Model {
public:
    ModelKind kind() const final { return ModelKind::Language; }
    virtual int64_t vocabSize() const = 0;
    virtual int64_t contextLength() const = 0;
    virtual KvCache emptyCache() const = 0;
    // Logits [T, vocab] for token ids [T] at positions cache.length … (0 … without a cache),
    // their keys and values appended to the cache. The same numbers as forward() on one row.
    virtual torch::Tensor step(const torch::Tensor &tokens, KvCache *cache = nullptr) const = 0;
    // Models that read images: how a prompt holds them. Text-only models: none.
    virtual std::optional<ImagePrompt> imagePrompt() const { return std::nullopt; }
    // step() for a prompt with images: token ids [T] holding imagePrompt()'s tokens for each
    // of pixels [N, 3, size, size] (undefined: none), as forward() reads them. The logits are
    // those of the positions the decoder runs (for HiMix, the text's alone). Text-only models
    // refuse pixels with std::invalid_argument.
    virtual torch::Tensor prefill(const torch::Tensor &tokens, const torch::Tensor &pixels, KvCache *cache) const;
    // The analytic multiply-adds of the decoder's blocks for one answer (decoder_cost.h), for
    // the families that have a count; nothing otherwise.
    virtual std::optional<int64_t> decoderMacs(const AnswerShape &) const { return std::nullopt; }
    // HiMix's conversion (plugins/himix): the images leave the decoder's stream and enter each
    // layer only inside its attention, through the layer's own norm and key and value
    // projections. These start as copies of the layer's input_layernorm, k_proj and v_proj, so
    // every layer first reads the images' features as the first layer read their tokens (without
    // RoPE). Returns the new tensors' names as parameters() lists them: what the conversion
    // trains. Throws std::invalid_argument for a model that reads no images or is HiMix already.
    virtual std::vector<std::string> convertToHimix();
};

// How bytes become a vision model's input: pixels = (byte · rescale − mean[c]) / std[c].
struct ImageFormat {
    int64_t size = 0;     // square images of size² pixels
    int64_t channels = 0;
    double rescale = 1.0 / 255;
    std::vector<double> mean, std; // one per channel
};

class VisionModel : public Model {
public:
    ModelKind kind() const final { return ModelKind::Vision; }
    virtual const ImageFormat &imageFormat() const = 0;
    virtual int64_t classes() const = 0;
    virtual std::vector<std::string> classNames() const = 0; // in class order; empty when the config names none
    // `count` images of imageFormat().size² bytes per channel, with one channel (repeated into
    // every channel the model takes) or as many as it takes, normalised in float64 and rounded
    // to float32 once: [count, channels, size, size] on the model's device. Throws
    // std::invalid_argument when the bytes are not `count` (≥ 1) such images.
    torch::Tensor pixels(const uint8_t *bytes, size_t size, int64_t count) const;
};

// A model that generates page layouts by denoising panel boxes (DDPM): its forward pass
// predicts the noise in noised boxes (ModelInput::boxes). layout_generator.h samples from it.
class LayoutModel : public Model {
public:
    ModelKind kind() const final { return ModelKind::Layout; }
    // Its shape, the most panels a page has and the noise schedule it was trained under.
    virtual const LayoutConfig &layoutConfig() const = 0;
};

} // namespace sculpt
