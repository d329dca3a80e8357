#include "runtime/families/vit/vit_config.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "io/hf_folder.h"
#include "io/json_text.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sculpt {
namespace {

using json = nlohmann::json;

constexpr uint64_t kMaxSidecarBytes = 1'000'000;
constexpr const char *kVitActivations = "gelu, gelu_pytorch_tanh, gelu_new, quick_gelu, relu";
// Image channels (1 grey, 3 RGB, 4 RGBA; a few hundred for hyperspectral images at most):
// the per-channel mean and std are allocated from this count, so a lying one is refused.
constexpr int64_t kMaxChannels = 1024;
constexpr int64_t kMaxImageSize = 1 << 16;
// libstdc++ compiles a regular expression recursively, a level per group: 10,000 nested
// groups overflow the stack. A rename pattern is a few dozen bytes; 1000 nest at most 500.
constexpr size_t kMaxPatternBytes = 1000;

// config.json's keys the ViT runtime reads, and the layout keys only a sidecar brings. A
// sidecar key outside both is refused, so a typo is not silently ignored; keys starting with
// "_" are comments.
const std::set<std::string> kConfigKeys{
    "model_type",        "image_size",          "patch_size",        "num_channels", "hidden_size",
    "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act",   "layer_norm_eps",
    "num_labels",        "id2label",            "label2id",          "qkv_bias",     "pruned_heads",
};
const std::set<std::string> kLayoutKeys{
    "tensor_names", "rename",     "patch_flatten",          "qkv_layout",     "attention_scale",
    "final_norm",   "image_mean", "classifier_hidden_size", "rescale_factor", "image_std",
};

} // namespace

VitTensorNames hfVitNames()
{
    const std::string layer = "vit.encoder.layer.{L}.";
    VitTensorNames n;
    n.patchEmbedding = "vit.embeddings.patch_embeddings.projection";
    n.clsToken = "vit.embeddings.cls_token";
    n.positionEmbedding = "vit.embeddings.position_embeddings";
    n.attentionNorm = layer + "layernorm_before";
    n.query = layer + "attention.attention.query";
    n.key = layer + "attention.attention.key";
    n.value = layer + "attention.attention.value";
    n.attentionOutput = layer + "attention.output.dense";
    n.mlpNorm = layer + "layernorm_after";
    n.mlpIn = layer + "intermediate.dense";
    n.mlpOut = layer + "output.dense";
    n.finalNorm = "vit.layernorm";
    n.classifier = "classifier";
    return n;
}

namespace {

// CLIP's and SigLIP's vision encoders name their blocks alike.
VitTensorNames visionModelNames(const std::string &prefix)
{
    const std::string model = prefix + "vision_model.", layer = model + "encoder.layers.{L}.";
    VitTensorNames n;
    n.patchEmbedding = model + "embeddings.patch_embedding";
    n.positionEmbedding = model + "embeddings.position_embedding.weight";
    n.attentionNorm = layer + "layer_norm1";
    n.query = layer + "self_attn.q_proj";
    n.key = layer + "self_attn.k_proj";
    n.value = layer + "self_attn.v_proj";
    n.attentionOutput = layer + "self_attn.out_proj";
    n.mlpNorm = layer + "layer_norm2";
    n.mlpIn = layer + "mlp.fc1";
    n.mlpOut = layer + "mlp.fc2";
    n.finalNorm = model + "post_layernorm";
    return n;
}

} // namespace

VitTensorNames clipVisionNames(const std::string &prefix)
{
    VitTensorNames n = visionModelNames(prefix);
    n.clsToken = prefix + "vision_model.embeddings.class_embedding";
    n.preNorm = prefix + "vision_model.pre_layrnorm"; // sic: transformers' spelling
    return n;
}

VitTensorNames siglipVisionNames(const std::string &prefix) { return visionModelNames(prefix); }

namespace {

// lucidrains/vit-pytorch's early ViT: pre-norm wrappers (PreNorm → .fn.norm and .fn.fn),
// one fused bias-free to_qkv, FeedForward as Sequential(Linear, GELU, Linear) and
// mlp_head as Sequential(Linear, GELU, Linear). Later versions moved modules around;
// `rename` maps theirs onto these.
VitTensorNames lucidrainsNames()
{
    const std::string attention = "transformer.layers.{L}.0.", mlp = "transformer.layers.{L}.1.";
    VitTensorNames n;
    n.patchEmbedding = "patch_to_embedding";
    n.clsToken = "cls_token";
    n.positionEmbedding = "pos_embedding";
    n.attentionNorm = attention + "fn.norm";
    n.qkv = attention + "fn.fn.to_qkv";
    n.attentionOutput = attention + "fn.fn.to_out";
    n.mlpNorm = mlp + "fn.norm";
    n.mlpIn = mlp + "fn.fn.net.0";
    n.mlpOut = mlp + "fn.fn.net.2";
    n.finalNorm = "transformer.norm";
    n.classifierHidden = "mlp_head.0";
    n.classifier = "mlp_head.2";
    return n;
}

json readSidecar(const std::string &path)
{
    const auto file = MappedFile::open(path);
    if (file->size() > kMaxSidecarBytes)
        throw FileError(path, "a sidecar config is at most 1 MB");
    const std::string text(reinterpret_cast<const char *>(file->data()), file->size());
    const json sidecar = parseJson(text, path, "the sidecar config");
    if (!sidecar.is_object())
        throw FileError(path, "a sidecar config is a JSON object");
    for (const auto &[key, value] : sidecar.items())
        if (!key.starts_with("_") && !kConfigKeys.contains(key) && !kLayoutKeys.contains(key))
            throw FileError(path, "unknown key '" + key + "' (see README, \"Running models\")");
    return sidecar;
}

// config.json overlaid with the sidecar, or a section of config.json (a multimodal model's
// vision_config), each key's errors naming the file and section it came from.
class Settings {
public:
    Settings(const Checkpoint &checkpoint, const json &section, const std::string &name)
        : checkpoint_(checkpoint), hasConfig_(true), merged_(section.is_object() ? section : json::object()),
          section_(name + ".")
    {
        if (!section.is_object())
            throw FileError(checkpoint.path(), "config.json: " + name + " is not an object");
    }

    Settings(const Checkpoint &checkpoint, const std::string &sidecarPath)
        : checkpoint_(checkpoint), sidecarPath_(sidecarPath)
    {
        const auto it = checkpoint.metadata().find(kConfigKey);
        if (it == checkpoint.metadata().end() && sidecarPath.empty())
            throw FileError(checkpoint.path(), "no config.json: a ViT runs from its folder (config.json + weights) or "
                                               "with a sidecar config (--config FILE)");
        hasConfig_ = it != checkpoint.metadata().end();
        if (hasConfig_) // the folder reader has checked it is a JSON object
            merged_ = json::parse(it->second, nullptr, /*allow_exceptions=*/false);
        if (!merged_.is_object())
            merged_ = json::object();
        if (sidecarPath.empty())
            return;
        const json sidecar = readSidecar(sidecarPath);
        for (const auto &[key, value] : sidecar.items()) {
            merged_[key] = value;
            fromSidecar_.insert(key);
        }
    }

    bool present(const std::string &key) const { return merged_.contains(key) && !merged_[key].is_null(); }
    // A multimodal model's vision_config: a tower, whatever its model_type.
    bool isSection() const { return !section_.empty(); }
    const json &operator[](const std::string &key) const { return merged_[key]; }

    [[noreturn]] void fail(const std::string &key, const std::string &why) const
    {
        if (fromSidecar_.contains(key))
            throw FileError(sidecarPath_, key + " " + why);
        throw FileError(checkpoint_.path(), "config.json: " + section_ + key + " " + why);
    }
    [[noreturn]] void missing(const std::string &key) const
    {
        if (sidecarPath_.empty())
            throw FileError(checkpoint_.path(), "config.json: " + section_ + key + " is missing");
        throw FileError(sidecarPath_, key + " is missing" + (hasConfig_ ? " (and config.json has none)" : ""));
    }

    int64_t positive(const std::string &key) const
    {
        if (!present(key))
            missing(key);
        if (!merged_[key].is_number_integer() || merged_[key].get<int64_t>() <= 0)
            fail(key, "is not a positive integer");
        return merged_[key].get<int64_t>();
    }
    int64_t positive(const std::string &key, int64_t otherwise) const { return present(key) ? positive(key) : otherwise; }
    double number(const std::string &key, double otherwise) const
    {
        if (!present(key))
            return otherwise;
        if (!merged_[key].is_number() || !(merged_[key].get<double>() > 0))
            fail(key, "is not a positive number");
        return merged_[key].get<double>();
    }
    bool flag(const std::string &key, bool otherwise) const
    {
        if (!present(key))
            return otherwise;
        if (!merged_[key].is_boolean())
            fail(key, "is not true or false");
        return merged_[key].get<bool>();
    }
    std::string text(const std::string &key, const std::string &otherwise) const
    {
        if (!present(key))
            return otherwise;
        if (!merged_[key].is_string())
            fail(key, "is not a string");
        return merged_[key].get<std::string>();
    }

private:
    const Checkpoint &checkpoint_;
    std::string sidecarPath_;
    bool hasConfig_ = false;
    json merged_;
    std::set<std::string> fromSidecar_;
    std::string section_; // "vision_config." or empty
};

int64_t labelCount(const Settings &s)
{
    if (s.present("num_labels"))
        return s.positive("num_labels");
    if (!s.present("id2label"))
        s.missing("num_labels");
    if (!s["id2label"].is_object() || s["id2label"].empty())
        s.fail("id2label", "is not an object naming each class");
    return int64_t(s["id2label"].size());
}

// id2label's names in id order, when it names every id from 0 to labels − 1; else none.
std::vector<std::string> labelNames(const Settings &s, int64_t labels)
{
    if (!s.present("id2label") || !s["id2label"].is_object())
        return {};
    std::vector<std::string> names;
    for (int64_t i = 0; i < labels; ++i) {
        const auto it = s["id2label"].find(std::to_string(i));
        if (it == s["id2label"].end() || !it->is_string())
            return {};
        names.push_back(it->get<std::string>());
    }
    return names;
}

VitActivation activation(const Settings &s, const std::string &otherwise)
{
    const std::string name = s.text("hidden_act", otherwise);
    if (const std::optional<VitActivation> known = vitActivation(name))
        return *known;
    s.fail("hidden_act", "'" + name + "' is not one the ViT runtime has (" + std::string(kVitActivations) + ")");
}

std::array<PatchAxis, 3> patchOrder(const Settings &s)
{
    static const std::map<std::string, PatchAxis> axes{
        {"c", PatchAxis::Channel}, {"p1", PatchAxis::Row}, {"p2", PatchAxis::Column}};
    const std::string text = s.text("patch_flatten", "c p1 p2");
    const auto bad = [&] {
        s.fail("patch_flatten", "'" + text + "' is not an order of c, p1 and p2 (such as \"c p1 p2\" or \"p1 p2 c\")");
    };
    std::vector<PatchAxis> order;
    std::istringstream words(text);
    for (std::string word; words >> word;) {
        const auto it = axes.find(word);
        if (it == axes.end() || std::ranges::find(order, it->second) != order.end())
            bad();
        order.push_back(it->second);
    }
    if (order.size() != 3)
        bad();
    return {order[0], order[1], order[2]};
}

double attentionScale(const Settings &s, const VitConfig &c)
{
    if (!s.present("attention_scale") || s["attention_scale"] == "head_dim")
        return 1 / std::sqrt(double(c.headDim()));
    if (s["attention_scale"] == "hidden_size")
        return 1 / std::sqrt(double(c.dim));
    if (s["attention_scale"].is_number() && s["attention_scale"].get<double>() > 0)
        return s["attention_scale"].get<double>();
    s.fail("attention_scale", "is neither \"head_dim\", \"hidden_size\" nor a positive number");
}

// Hugging Face's {"layer": [head, …]}: which heads the weights no longer hold.
std::vector<std::vector<int64_t>> prunedHeads(const Settings &s, const VitConfig &c)
{
    std::vector<std::vector<int64_t>> pruned(size_t(c.layers));
    if (!s.present("pruned_heads"))
        return pruned;
    const json &all = s["pruned_heads"];
    if (!all.is_object())
        s.fail("pruned_heads", "is not an object of layer → heads");
    for (const auto &[key, heads] : all.items()) {
        char *end = nullptr;
        const long layer = std::strtol(key.c_str(), &end, 10);
        if (key.empty() || *end != '\0' || layer < 0 || layer >= c.layers)
            s.fail("pruned_heads", "names layer '" + key + "', which the model does not have");
        if (!heads.is_array())
            s.fail("pruned_heads", "of layer " + key + " is not a list of heads");
        std::set<int64_t> unique;
        for (const json &head : heads) {
            if (!head.is_number_integer() || head.get<int64_t>() < 0 || head.get<int64_t>() >= c.heads)
                s.fail("pruned_heads", "of layer " + key + " names a head outside 0…" + std::to_string(c.heads - 1));
            unique.insert(head.get<int64_t>());
        }
        pruned[size_t(layer)].assign(unique.begin(), unique.end());
    }
    return pruned;
}

// One value per channel: a number for all of them, or a list of one or `channels`. Absent,
// the RGB default `otherwise`, or its first value on every channel when they are all alike.
std::vector<double> perChannel(const Settings &s, const char *key, int64_t channels, const double (&otherwise)[3],
                               bool positive)
{
    if (!s.present(key)) {
        if (channels == 3)
            return {otherwise[0], otherwise[1], otherwise[2]};
        if (otherwise[0] != otherwise[1] || otherwise[1] != otherwise[2])
            s.missing(key);
        return std::vector<double>(size_t(channels), otherwise[0]);
    }
    const json values = s[key].is_array() ? s[key] : json::array({s[key]});
    if (values.size() != 1 && values.size() != size_t(channels))
        s.fail(key, "has " + std::to_string(values.size()) + " values for " + std::to_string(channels) + " channels");
    std::vector<double> out;
    for (const json &v : values) {
        if (!v.is_number() || (positive && !(v.get<double>() > 0)))
            s.fail(key, positive ? "holds something other than positive numbers" : "holds something other than numbers");
        out.push_back(v.get<double>());
    }
    out.resize(size_t(channels), out.front());
    return out;
}

// What each model_type the ViT runtime reads leaves unsaid: transformers' config defaults and
// its image processor's normalisation. A vision tower (CLIP's, SigLIP's) has no head. CLIP's
// patch convolution has no bias, and its post_layernorm normalises only the pooled class
// token, which a tower's output (every token) does not include.
// Sizes 0: config.json must say (a ViT classifier's always does).
struct VitKind {
    const char *type;
    VitTensorNames (*names)();
    const char *activation;
    double layerNormEps, mean[3], std[3];
    bool tower, patchBias, finalNorm;
    int64_t imageSize, patchSize, dim, hiddenDim, layers, heads;
};
const VitKind kVitKinds[] = {
    {"vit", hfVitNames, "gelu", 1e-12, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, false, true, true, 0, 0, 0, 0, 0, 0},
    {"clip_vision_model", [] { return clipVisionNames(""); }, "quick_gelu", 1e-5,
     {0.48145466, 0.4578275, 0.40821073}, {0.26862954, 0.26130258, 0.27577711}, true, false, false,
     224, 32, 768, 3072, 12, 12},
    {"siglip_vision_model", [] { return siglipVisionNames(""); }, "gelu_pytorch_tanh", 1e-6, {0.5, 0.5, 0.5},
     {0.5, 0.5, 0.5}, true, true, true, 224, 16, 768, 3072, 12, 12},
};

int64_t sizeOr(const Settings &s, const std::string &key, int64_t otherwise)
{
    return otherwise > 0 ? s.positive(key, otherwise) : s.positive(key);
}

const VitKind &vitKind(const Settings &s)
{
    const std::string type = s.text("model_type", "vit");
    for (const VitKind &kind : kVitKinds)
        if (type == kind.type)
            return kind;
    s.fail("model_type", "'" + type + "' is not a ViT (vit, clip_vision_model, siglip_vision_model)");
}

VitTensorNames tensorNames(const Settings &s, const VitKind &kind)
{
    if (!s.present("tensor_names"))
        return kind.names();
    const std::string style = s.text("tensor_names", "");
    if (style == "hf")
        return hfVitNames();
    if (style == "lucidrains")
        return lucidrainsNames();
    s.fail("tensor_names", "'" + style + "' is not a naming the ViT runtime knows (hf, lucidrains)");
}

std::vector<std::pair<std::string, std::string>> renames(const Settings &s)
{
    if (!s.present("rename"))
        return {};
    const std::string shape = "is not a list of [pattern, replacement] pairs";
    if (!s["rename"].is_array())
        s.fail("rename", shape);
    std::vector<std::pair<std::string, std::string>> out;
    for (const json &pair : s["rename"]) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
            s.fail("rename", shape);
        if (pair[0].get<std::string>().size() > kMaxPatternBytes)
            s.fail("rename", "pattern of " + std::to_string(pair[0].get<std::string>().size()) + " bytes is longer than " +
                                 std::to_string(kMaxPatternBytes) + ", more than a rename needs");
        try {
            std::regex(pair[0].get<std::string>());
        } catch (const std::regex_error &e) {
            s.fail("rename", "pattern '" + pair[0].get<std::string>() + "' is not a regular expression: " + e.what());
        }
        out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
    return out;
}

} // namespace

std::string layerName(std::string pattern, int64_t layer)
{
    if (const size_t at = pattern.find("{L}"); at != std::string::npos)
        pattern.replace(at, 3, std::to_string(layer));
    return pattern;
}

VitAttentionLayout vitAttentionLayout(const VitConfig &config, int64_t layer)
{
    if (layer < 0 || layer >= config.layers)
        throw std::invalid_argument("the model has no layer " + std::to_string(layer) + " (it has " +
                                    std::to_string(config.layers) + ")");
    const VitTensorNames &n = config.names;
    const auto name = [layer](const std::string &pattern) { return layerName(pattern, layer); };
    const int64_t heads = config.headsIn(layer);
    const bool fused = !n.qkv.empty();
    return {{layer, heads, heads, config.headDim(), fused, fused && config.qkvLayout == QkvLayout::HeadsThreeDim},
            fused ? std::vector{name(n.qkv)} : std::vector{name(n.query), name(n.key), name(n.value)},
            name(n.attentionOutput)};
}

namespace {

VitConfig fromSettings(const Settings &s)
{
    const VitKind &kind = vitKind(s);

    VitConfig c;
    c.imageSize = sizeOr(s, "image_size", kind.imageSize);
    // The patch grid's size is computed from it: a lying one would overflow.
    if (c.imageSize > kMaxImageSize)
        s.fail("image_size", std::to_string(c.imageSize) + " is more than the " + std::to_string(kMaxImageSize) +
                                 " pixels a side an image may have");
    c.patchSize = sizeOr(s, "patch_size", kind.patchSize);
    if (c.imageSize % c.patchSize != 0)
        s.fail("patch_size", std::to_string(c.patchSize) + " does not divide image_size " + std::to_string(c.imageSize));
    c.channels = s.positive("num_channels", 3);
    if (c.channels > kMaxChannels)
        s.fail("num_channels", std::to_string(c.channels) + " is more than the " + std::to_string(kMaxChannels) +
                                   " channels an image may have");
    c.dim = sizeOr(s, "hidden_size", kind.dim);
    c.layers = sizeOr(s, "num_hidden_layers", kind.layers);
    c.heads = sizeOr(s, "num_attention_heads", kind.heads);
    if (c.dim % c.heads != 0)
        s.fail("num_attention_heads", std::to_string(c.heads) + " does not divide hidden_size " + std::to_string(c.dim));
    c.prunedHeads = prunedHeads(s, c);
    c.hiddenDim = sizeOr(s, "intermediate_size", kind.hiddenDim);
    if (!kind.tower && !s.isSection()) {
        c.labels = labelCount(s);
        c.labelNames = labelNames(s, c.labels);
    }
    c.classifierHidden = s.positive("classifier_hidden_size", 0);
    c.layerNormEps = s.number("layer_norm_eps", kind.layerNormEps);
    c.activation = activation(s, kind.activation);
    c.attentionScale = attentionScale(s, c);
    c.patchOrder = patchOrder(s);
    if (const std::string layout = s.text("qkv_layout", "3 h d"); layout == "h 3 d")
        c.qkvLayout = QkvLayout::HeadsThreeDim;
    else if (layout != "3 h d")
        s.fail("qkv_layout", "'" + layout + "' is neither \"3 h d\" nor \"h 3 d\"");
    c.rescale = s.number("rescale_factor", c.rescale);
    c.mean = perChannel(s, "image_mean", c.channels, kind.mean, /*positive=*/false);
    c.std = perChannel(s, "image_std", c.channels, kind.std, /*positive=*/true);
    c.names = tensorNames(s, kind);
    c.embeddingModules = kind.tower; // CLIP's and SigLIP's: an Embedding for the positions
    c.patchBias = kind.patchBias;
    c.finalNorm = s.flag("final_norm", kind.finalNorm);
    c.qkvBias = s.flag("qkv_bias", true);
    c.renames = renames(s);
    if (c.classifierHidden > 0 && c.names.classifierHidden.empty())
        s.fail("classifier_hidden_size", "asks for a two-layer head, which tensor_names '" +
                                             s.text("tensor_names", "hf") + "' has no name for");
    return c;
}

} // namespace

std::optional<VitActivation> vitActivation(const std::string &name)
{
    if (name == "gelu")
        return VitActivation::Gelu;
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
        return VitActivation::GeluTanh;
    if (name == "quick_gelu")
        return VitActivation::QuickGelu;
    if (name == "relu")
        return VitActivation::Relu;
    return std::nullopt;
}

VitConfig readVitConfig(const Checkpoint &checkpoint, const std::string &sidecarPath)
{
    return fromSettings(Settings(checkpoint, sidecarPath));
}

VitConfig readVitConfig(const Checkpoint &checkpoint, const nlohmann::json &config, const std::string &section)
{
    return fromSettings(Settings(checkpoint, config, section));
}

std::string hfConfigJson(const VitConfig &c)
{
    const auto refuse = [](const std::string &what) {
        throw std::invalid_argument("this ViT " + what + ", which a Hugging Face ViT config cannot say: not exported");
    };
    if (!(c.names == hfVitNames()) || !c.renames.empty())
        refuse("has tensor names other than Hugging Face's");
    if (c.classifierHidden > 0 || !c.finalNorm)
        refuse("has another head than LayerNorm → Linear");
    if (std::abs(c.attentionScale * std::sqrt(double(c.headDim())) - 1) > 1e-12)
        refuse("scales attention other than by 1/√head_dim");
    nlohmann::ordered_json id2label, label2id;
    for (int64_t i = 0; i < c.labels; ++i) {
        const std::string name = size_t(i) < c.labelNames.size() ? c.labelNames[size_t(i)] : "LABEL_" + std::to_string(i);
        id2label[std::to_string(i)] = name;
        label2id[name] = i;
    }
    const char *act = c.activation == VitActivation::Gelu ? "gelu" : c.activation == VitActivation::GeluTanh ? "gelu_pytorch_tanh" : "relu";
    nlohmann::ordered_json config{{"architectures", {"ViTForImageClassification"}},
                                        {"model_type", "vit"},
                                        {"image_size", c.imageSize},
                                        {"patch_size", c.patchSize},
                                        {"num_channels", c.channels},
                                        {"hidden_size", c.dim},
                                        {"num_hidden_layers", c.layers},
                                        {"num_attention_heads", c.heads},
                                        {"intermediate_size", c.hiddenDim},
                                        {"hidden_act", act},
                                        {"hidden_dropout_prob", 0.0},
                                        {"attention_probs_dropout_prob", 0.0},
                                        {"layer_norm_eps", c.layerNormEps},
                                        {"qkv_bias", c.qkvBias},
                                        {"id2label", id2label},
                                        {"label2id", label2id},
                                        // ViTImageProcessor's keys, so the pixels are normalised as before.
                                        {"rescale_factor", c.rescale},
                                        {"image_mean", c.mean},
                                        {"image_std", c.std}};
    nlohmann::ordered_json pruned = nlohmann::ordered_json::object();
    for (size_t l = 0; l < c.prunedHeads.size(); ++l)
        if (!c.prunedHeads[l].empty())
            pruned[std::to_string(l)] = c.prunedHeads[l];
    if (!pruned.empty())
        config["pruned_heads"] = pruned;
    return config.dump(2);
}

} // namespace sculpt
