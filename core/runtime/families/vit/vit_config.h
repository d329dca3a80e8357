#pragma once
// The shape and layout of a Vision Transformer: a Hugging Face folder's config.json (a ViT
// classifier, or a CLIP or SigLIP vision tower — a ViT without a head), with a sidecar file on top for checkpoints that are not HF's own (other tensor names, a fused
// q/k/v projection, another patch order, attention scale, head or input normalisation).
// The sidecar takes config.json's keys plus the layout keys below; it wins where both say.

#include "model/head_layout.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

class Checkpoint;

enum class VitActivation { Gelu, GeluTanh, QuickGelu, Relu }; // QuickGelu: CLIP's x·σ(1.702x)

// The axes of one patch, in the order a linear patch embedding reads them: "c p1 p2"
// (a convolution kernel's own order, HF) or "p1 p2 c" (einops' rearrange in
// lucidrains/vit-pytorch) or any other permutation.
enum class PatchAxis { Channel, Row, Column };

// How a fused q/k/v projection's output rows divide: all of q, then k, then v, each heads ×
// headDim ("3 h d", lucidrains' chunk(3)) or, per head, its q, k and v ("h 3 d").
enum class QkvLayout { ThreeHeadsDim, HeadsThreeDim };

// Where each weight lives in the checkpoint. Layer names hold "{L}" for the block index;
// layers are named without ".weight" / ".bias". `qkv` set means one fused projection and
// `query`, `key`, `value` empty, and the other way round. An empty clsToken: no class token
// (SigLIP); an empty preNorm: no LayerNorm between the embeddings and the blocks (all but
// CLIP); an empty classifier: a vision tower, no head.
struct VitTensorNames {
    std::string patchEmbedding; // a [hidden, C, p, p] conv kernel or a [hidden, C·p·p] matrix
    std::string clsToken, positionEmbedding, preNorm;
    std::string attentionNorm, query, key, value, qkv, attentionOutput;
    std::string mlpNorm, mlpIn, mlpOut;
    std::string finalNorm;
    std::string classifierHidden; // the first layer of a two-layer head
    std::string classifier;

    bool operator==(const VitTensorNames &) const = default;
};

// Hugging Face's ViTForImageClassification.
VitTensorNames hfVitNames();
// transformers' CLIPVisionModel and SiglipVisionModel, every name after `prefix` ("" for
// their own folders; a LLaVA folder's vision tower sits under one).
VitTensorNames clipVisionNames(const std::string &prefix);
VitTensorNames siglipVisionNames(const std::string &prefix);

struct VitConfig {
    int64_t imageSize = 0;  // square images of imageSize² pixels
    int64_t patchSize = 0;
    int64_t channels = 3;
    int64_t dim = 0;        // hidden_size
    int64_t layers = 0;
    int64_t heads = 0;      // per block before any was removed
    // Per block, the heads removed from it (Hugging Face's pruned_heads: their q/k/v rows and
    // output-projection columns are absent from the weights), ascending; empty for none.
    std::vector<std::vector<int64_t>> prunedHeads;
    int64_t hiddenDim = 0;  // intermediate_size, the MLP width
    int64_t labels = 0;     // 0: a vision tower, whose output is its last hidden states
    std::vector<std::string> labelNames; // id2label in id order, when the config names every class
    int64_t classifierHidden = 0; // > 0: the head is Linear → activation → Linear
    double layerNormEps = 1e-12;  // transformers' ViTConfig default
    VitActivation activation = VitActivation::Gelu;
    double attentionScale = 0;    // multiplies q·kᵀ: 1/√headDim unless the config says otherwise
    std::array<PatchAxis, 3> patchOrder{PatchAxis::Channel, PatchAxis::Row, PatchAxis::Column};
    QkvLayout qkvLayout = QkvLayout::ThreeHeadsDim;
    bool qkvBias = true;          // q, k and v (or the fused projection) have biases
    bool patchBias = true;        // CLIP's patch embedding has none
    // CLIP stores the class token as [dim] and the positions as an Embedding's [tokens, dim]
    // weight; HF's ViT both as [1, …, dim].
    bool embeddingModules = false;
    bool finalNorm = true;
    // Pixels become (byte · rescale − mean[c]) / std[c], one mean and std per channel.
    double rescale = 1.0 / 255;
    std::vector<double> mean, std;
    VitTensorNames names;
    // Regular-expression substitutions (pattern, replacement) applied in order to every
    // stored tensor name before it is looked up under `names`: prefixes, renamed modules.
    std::vector<std::pair<std::string, std::string>> renames;

    int64_t headDim() const { return dim / heads; }
    // The heads block `layer` still has.
    int64_t headsIn(int64_t layer) const
    {
        return heads - (prunedHeads.empty() ? 0 : int64_t(prunedHeads[size_t(layer)].size()));
    }
    int64_t gridSize() const { return imageSize / patchSize; }
    int64_t patches() const { return gridSize() * gridSize(); }
    bool classToken() const { return !names.clsToken.empty(); }
    int64_t tokens() const { return patches() + (classToken() ? 1 : 0); }
};

// A layer's name pattern with "{L}" replaced by the block index.
std::string layerName(std::string pattern, int64_t layer);

// Block `layer`'s attention as its weights hold it: its heads (those pruned are gone, the rest
// numbered from 0) and its projections' names without ".weight" — q, k and v, or the one fused,
// and the output. Throws std::invalid_argument for a layer the model does not have.
struct VitAttentionLayout {
    HeadLayout heads;
    std::vector<std::string> inputs;
    std::string output;
};
VitAttentionLayout vitAttentionLayout(const VitConfig &config, int64_t layer);

// The config of `checkpoint` from its config.json (an HF folder) and the sidecar at
// `sidecarPath` (none when empty). Throws FileError naming the file and the key when either is
// missing, malformed, disagrees with itself or asks for something the runtime does not do.
VitConfig readVitConfig(const Checkpoint &checkpoint, const std::string &sidecarPath = {});
// The same from part of config.json: a multimodal model's vision tower (`section`
// "vision_config"), its tensor names without the model's prefix (the caller renames). What it
// leaves out takes transformers' default for its model_type; a "vit" there is a ViTModel: a
// tower, without a head, under hfVitNames().
VitConfig readVitConfig(const Checkpoint &checkpoint, const nlohmann::json &config, const std::string &section);

// transformers' hidden_act names the ViT runtime has ("gelu", "quick_gelu", …); nothing for others.
std::optional<VitActivation> vitActivation(const std::string &name);

// config.json of a Hugging Face ViTForImageClassification for the model, its input
// normalisation included. Throws std::invalid_argument for a layout that config cannot
// express (other tensor names, a two-layer head, another attention scale).
std::string hfConfigJson(const VitConfig &config);

} // namespace sculpt
