#include "runtime/families/llava/llava_config.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "io/hf_folder.h"
#include "runtime/config_reader.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace sculpt {
namespace {

using json = nlohmann::json;

// Which generation of LlavaForConditionalGeneration's names the checkpoint holds, as renames
// onto the families' own: the decoder's model.… and lm_head, the tower's (`tower` before its
// own names: a CLIP or SigLIP tower's start at vision_model.…, a ViTModel's at embeddings.…,
// which the ViT runtime reads as vit.embeddings.…), the projector's multi_modal_projector.….
std::vector<std::pair<std::string, std::string>> renames(const Checkpoint &checkpoint, const std::string &tower)
{
    for (const TensorInfo &t : checkpoint.tensors()) {
        if (t.name.starts_with("language_model.model."))
            return {{"^language_model\\.", ""}, {"^vision_tower\\.", tower}};
        if (t.name.starts_with("model.language_model."))
            return {{"^model\\.language_model\\.", "model."},
                    {"^model\\.vision_tower\\.", tower},
                    {"^model\\.multi_modal_projector\\.", "multi_modal_projector."}};
    }
    throw FileError(checkpoint.path(), "no language_model.model.… or model.language_model.… tensors: not a "
                                       "LlavaForConditionalGeneration checkpoint");
}

// A section the way transformers fills it in: its model_type when absent.
json section(const ConfigReader &r, const json &config, const char *key, const char *type)
{
    if (!config.contains(key) || !config[key].is_object())
        r.fail(std::string(key) + " is missing or not an object");
    json out = config[key];
    if (!out.contains("model_type"))
        out["model_type"] = type;
    return out;
}

// vision_feature_layer, hidden_states' index (0 the embeddings, −1 the last block's output), as
// the block whose output it is.
int64_t featureLayer(const ConfigReader &r, const json &config, int64_t layers)
{
    if (!r.present("vision_feature_layer"))
        return layers - 2;
    const json &value = config["vision_feature_layer"];
    if (value.is_array())
        r.fail("vision_feature_layer: several feature layers, concatenated, are not run yet");
    if (!value.is_number_integer())
        r.fail("vision_feature_layer is not an integer");
    const int64_t index = value.get<int64_t>();
    const int64_t block = index < 0 ? layers + index : index - 1;
    if (index == 0 || block < 0 || block >= layers)
        r.fail("vision_feature_layer " + std::to_string(index) + " is not the output of one of the tower's " +
               std::to_string(layers) + " blocks");
    return block;
}

// HiMix's tensors under either generation's names: the first layer's norm tells.
bool holdsHimix(const Checkpoint &checkpoint)
{
    for (const TensorInfo &t : checkpoint.tensors())
        if (t.name.ends_with(".layers.0.input_layernorm_img.weight"))
            return true;
    return false;
}

std::string layerName(int64_t layer, const char *name)
{
    return "model.layers." + std::to_string(layer) + "." + name;
}

// The text of `name` in the checkpoint's folder, or nothing when it is not there.
std::string besideFile(const Checkpoint &checkpoint, const char *name)
{
    const std::filesystem::path model(checkpoint.path());
    if (model.empty()) // a checkpoint in memory has no folder
        return {};
    std::error_code error;
    const std::filesystem::path file = (std::filesystem::is_directory(model, error) ? model : model.parent_path()) / name;
    if (!std::filesystem::is_regular_file(file, error))
        return {};
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
        throw FileError(file.string(), "cannot be read");
    return text;
}

} // namespace

std::string himixNormName(int64_t layer) { return layerName(layer, "input_layernorm_img.weight"); }
std::string himixKeyName(int64_t layer) { return layerName(layer, "self_attn.k_proj_img"); }
std::string himixValueName(int64_t layer) { return layerName(layer, "self_attn.v_proj_img"); }

LlavaConfig readLlavaConfig(const Checkpoint &checkpoint)
{
    const auto it = checkpoint.metadata().find(kConfigKey);
    if (it == checkpoint.metadata().end())
        throw FileError(checkpoint.path(), "no config.json: a LLaVA model is run from its folder (config.json + weights)");
    const json config = json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    const ConfigReader r(checkpoint, config);
    if (!config.is_object())
        r.fail("not a JSON object");
    if (const std::string type = r.text("model_type", ""); type != "llava")
        r.fail("model_type '" + type + "' is not llava");

    LlavaConfig c;
    c.vision = readVitConfig(checkpoint, section(r, config, "vision_config", "clip_vision_model"), "vision_config");
    c.text = readLlamaConfig(checkpoint, section(r, config, "text_config", "llama"), "text_config");
    c.featureLayer = featureLayer(r, config, c.vision.layers);
    const std::string select = r.text("vision_feature_select_strategy", "default");
    if (select != "default" && select != "full")
        r.fail("vision_feature_select_strategy '" + select + "' is neither \"default\" nor \"full\"");
    c.dropFirstToken = select == "default";
    // transformers reads either name; 32000 is LlavaConfig's default.
    c.imageToken = r.present("image_token_index") ? r.positive("image_token_index") : r.positive("image_token_id", 32000);
    if (c.imageToken >= c.text.vocab)
        r.fail("image_token_index " + std::to_string(c.imageToken) + " is outside the vocabulary of " +
               std::to_string(c.text.vocab));
    const std::string act = r.text("projector_hidden_act", "gelu");
    const std::optional<VitActivation> activation = vitActivation(act);
    if (!activation)
        r.fail("projector_hidden_act '" + act + "' is not one the runtime has (gelu, gelu_pytorch_tanh, quick_gelu, relu)");
    c.projectorActivation = *activation;
    c.projectorBias = r.flag("multimodal_projector_bias", true);
    c.renames = renames(checkpoint, c.vision.names == hfVitNames() ? "vit." : "");
    c.vision.renames = c.renames;
    c.himix = holdsHimix(checkpoint);
    c.json = it->second;
    c.processorJson = besideFile(checkpoint, "preprocessor_config.json");
    return c;
}

} // namespace sculpt
