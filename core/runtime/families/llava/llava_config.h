#pragma once
// The shape of a LLaVA-style vision-language model (transformers' LlavaForConditionalGeneration):
// a CLIP, SigLIP or ViT vision tower, a two-layer projector onto the decoder's width, and a LLaMA or
// Qwen2 decoder whose prompt holds one image token per image, replaced by the image's tokens.
// Torch-free.

#include "runtime/families/llama/llama_config.h"
#include "runtime/families/vit/vit_config.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

class Checkpoint;

struct LlavaConfig {
    VitConfig vision;  // tensor names as a CLIPVisionModel's (a ViTModel's: ViTForImageClassification's), after `renames`
    LlamaConfig text;  // tensor names as a LlamaForCausalLM's, after `renames`
    // The tower block whose output the projector reads (vision_feature_layer −2, transformers'
    // default: the output of the block before the last).
    int64_t featureLayer = 0;
    // vision_feature_select_strategy "default" drops the first token of each image (CLIP's
    // class token), "full" keeps every one.
    bool dropFirstToken = true;
    int64_t imageToken = 0; // image_token_index: the prompt's placeholder id
    VitActivation projectorActivation = VitActivation::Gelu;
    bool projectorBias = true;
    // The two tensor-name generations of LlavaForConditionalGeneration (language_model.model.…
    // and vision_tower.… before transformers 4.52, model.language_model.… and
    // model.vision_tower.… since) mapped onto the families' own names and
    // multi_modal_projector.linear_1 / linear_2.
    std::vector<std::pair<std::string, std::string>> renames;
    // HiMix: the image's tokens stay out of the decoder's stream and enter each layer only as
    // attention keys and values, through the layer's own norm and k/v projections
    // (model.layers.N.input_layernorm_img, self_attn.k_proj_img, self_attn.v_proj_img).
    bool himix = false;
    // config.json as read: what an export writes back, with the decoder's section renewed.
    std::string json;
    // preprocessor_config.json beside it, as read (how its images become pixels); empty when
    // there is none.
    std::string processorJson;

    // The tokens one image takes in the prompt.
    int64_t imageTokens() const { return vision.tokens() - (dropFirstToken ? 1 : 0); }
};

inline constexpr const char *kLlavaProjectorIn = "multi_modal_projector.linear_1";
inline constexpr const char *kLlavaProjectorOut = "multi_modal_projector.linear_2";

// The HiMix tensors of decoder layer `layer`, after the renames.
std::string himixNormName(int64_t layer);
std::string himixKeyName(int64_t layer);
std::string himixValueName(int64_t layer);

// A folder whose config.json has model_type "llava"; HiMix when its decoder's layers hold
// the _img tensors. Throws FileError naming the file and the
// key (text_config.…, vision_config.…) when the config is incomplete, asks for what the runtime
// does not do (several feature layers, another select strategy) or the tensor names are
// neither generation's.
LlavaConfig readLlavaConfig(const Checkpoint &checkpoint);

} // namespace sculpt
