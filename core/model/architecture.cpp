#include "model/architecture.h"

#include "io/checkpoint.h"
#include "io/hf_folder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

namespace sculpt {
namespace {

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

// Whether the dotted name holds `part` as whole components ("attn.c_proj" in
// "h.3.attn.c_proj.weight", but "wo" not in "two.weight").
bool hasPart(const std::string &dotted, std::string_view part)
{
    return contains(dotted, "." + std::string(part) + ".");
}

std::optional<Architecture> fromFamilyName(std::string name)
{
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    static const std::array<std::pair<std::string_view, Architecture>, 21> families{{
        {"llama", Architecture::Llama}, {"mistral", Architecture::Llama}, {"mixtral", Architecture::Llama},
        {"qwen2", Architecture::Llama}, {"qwen3", Architecture::Llama}, {"gemma", Architecture::Llama},
        {"phi3", Architecture::Llama}, {"gpt2", Architecture::Gpt2}, {"vit", Architecture::Vit},
        {"deit", Architecture::Vit}, {"bert", Architecture::Bert}, {"roberta", Architecture::Bert},
        {"distilbert", Architecture::Bert}, {"albert", Architecture::Bert}, {"electra", Architecture::Bert},
        {"xlm-roberta", Architecture::Bert}, {"internlm2", Architecture::Llama},
        {"clip_vision_model", Architecture::Vit}, {"siglip_vision_model", Architecture::Vit},
        {"llava", Architecture::Llava}, {"sculpt-layout", Architecture::Layout},
    }};
    for (const auto &[family, arch] : families)
        if (name == family)
            return arch;
    return std::nullopt;
}

std::optional<Architecture> fromMetadata(const Checkpoint &checkpoint)
{
    const auto &meta = checkpoint.metadata();
    if (checkpoint.format() == "llama2.c")
        return Architecture::Llama;
    if (const auto it = meta.find(kConfigKey); it != meta.end()) {
        const auto config = nlohmann::json::parse(it->second, nullptr, false);
        if (config.is_object() && config.contains("model_type") && config["model_type"].is_string())
            if (auto arch = fromFamilyName(config["model_type"].get<std::string>()))
                return arch;
    }
    if (const auto it = meta.find("general.architecture"); it != meta.end())
        return fromFamilyName(it->second);
    return std::nullopt;
}

Architecture fromNames(const Checkpoint &checkpoint)
{
    bool anyConv = false, anyAttention = false;
    for (const auto &t : checkpoint.tensors()) {
        const std::string n = "." + t.name + ".";
        if (hasPart(n, "self_attn.q_proj") || hasPart(n, "attention.wq") || hasPart(n, "attn_q"))
            return Architecture::Llama;
        if (hasPart(n, "attn.c_attn"))
            return Architecture::Gpt2;
        if (contains(n, "patch_to_embedding") || contains(n, "patch_embed") || hasPart(n, "cls_token"))
            return Architecture::Vit;
        if (hasPart(n, "attention.self.query"))
            return Architecture::Bert;
        anyAttention = anyAttention || contains(n, "attn") || contains(n, "attention");
        anyConv = anyConv || t.shape.size() == 4;
    }
    return anyConv && !anyAttention ? Architecture::Cnn : Architecture::Generic;
}

} // namespace

Architecture detectArchitecture(const Checkpoint &checkpoint)
{
    if (auto arch = fromMetadata(checkpoint))
        return *arch;
    return fromNames(checkpoint);
}

int blockIndexOf(std::string_view name)
{
    static constexpr std::array<std::string_view, 6> containers{"layers", "layer", "h", "blocks", "block", "blk"};
    size_t start = 0;
    std::string_view previous;
    while (start <= name.size()) {
        const size_t dot = std::min(name.find('.', start), name.size());
        const std::string_view part = name.substr(start, dot - start);
        const bool numeric = !part.empty() && part.size() < 9 &&
                             std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
        // A trailing number is a tensor of its own ("layers.13" would be odd), not a block.
        if (numeric && dot < name.size() &&
            std::find(containers.begin(), containers.end(), previous) != containers.end())
            return std::stoi(std::string(part));
        previous = part;
        start = dot + 1;
    }
    return -1;
}

Role roleFromName(std::string_view name)
{
    std::string stem(name);
    for (std::string_view suffix : {".weight", ".bias"})
        if (stem.size() > suffix.size() && stem.ends_with(suffix))
            stem.resize(stem.size() - suffix.size());
    std::string lower = stem;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::string dotted = "." + lower + ".";
    const std::string last = lower.substr(lower.rfind('.') + 1);

    if (contains(last, "norm") || last == "ln_1" || last == "ln_2" || last == "ln_f" || last == "running_mean" ||
        last == "running_var" || last == "num_batches_tracked")
        return Role::Norm;
    if (lower == "output") // GGUF's classifier
        return Role::Head;

    // Order matters: the more specific pattern first ("attention.output.dense" before
    // "output.dense", "mlp_head" before "head").
    static const std::array<std::pair<std::string_view, Role>, 49> patterns{{
        {"adaln_modulation", Role::Modulation}, {"to_qkv", Role::QKV}, {"c_attn", Role::QKV}, {"qkv", Role::QKV}, {"query_key_value", Role::QKV},
        {"attn_qkv", Role::QKV}, {"q_proj", Role::Q}, {"query", Role::Q}, {"attn_q", Role::Q},
        {"wq", Role::Q}, {"to_q", Role::Q}, {"k_proj", Role::K}, {"key", Role::K}, {"attn_k", Role::K},
        {"wk", Role::K}, {"to_k", Role::K}, {"v_proj", Role::V}, {"value", Role::V}, {"attn_v", Role::V},
        {"wv", Role::V}, {"to_v", Role::V}, {"o_proj", Role::O}, {"attention.output.dense", Role::O},
        {"attn.c_proj", Role::O}, {"to_out", Role::O}, {"attn_output", Role::O}, {"out_proj", Role::O},
        {"wo", Role::O}, {"attn.proj", Role::O}, {"gate_proj", Role::Gate}, {"ffn_gate", Role::Gate},
        {"w1", Role::Gate}, {"up_proj", Role::Up}, {"ffn_up", Role::Up}, {"w3", Role::Up},
        {"down_proj", Role::Down}, {"ffn_down", Role::Down}, {"w2", Role::Down}, {"c_fc", Role::Fc1},
        {"intermediate.dense", Role::Fc1}, {"fc1", Role::Fc1}, {"net.0", Role::Fc1}, {"mlp.c_proj", Role::Fc2},
        {"output.dense", Role::Fc2}, {"fc2", Role::Fc2}, {"net.2", Role::Fc2}, {"lm_head", Role::Head},
        {"mlp_head", Role::Head}, {"classifier", Role::Head},
    }};
    for (const auto &[pattern, role] : patterns)
        if (hasPart(dotted, pattern))
            return role;
    if (hasPart(dotted, "head"))
        return Role::Head;
    static constexpr std::array<std::string_view, 16> embeddings{
        "embed_tokens", "wte", "wpe", "word_embeddings", "position_embeddings", "token_type_embeddings",
        "patch_to_embedding", "patch_embeddings", "patch_embed", "cls_token", "pos_embedding", "pos_embed",
        "token_embd", "tok_embeddings", "embeddings", "embedding"};
    for (std::string_view e : embeddings)
        if (hasPart(dotted, e))
            return Role::Embed;
    return Role::Other;
}

} // namespace sculpt
