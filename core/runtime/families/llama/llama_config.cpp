#include "runtime/families/llama/llama_config.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "io/hf_folder.h"
#include "runtime/config_reader.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace sculpt {
namespace {

using json = nlohmann::json;

int64_t positive(const Checkpoint &checkpoint, const std::map<std::string, std::string> &meta, const char *key)
{
    const auto it = meta.find(key);
    const int64_t value = it == meta.end() ? 0 : std::stoll(it->second);
    if (value <= 0)
        throw FileError(checkpoint.path(), std::string("llama2.c header: ") + key + " is not positive");
    return value;
}

LlamaConfig fromLlama2c(const Checkpoint &checkpoint)
{
    const auto &meta = checkpoint.metadata();
    LlamaConfig c;
    c.dim = positive(checkpoint, meta, "dim");
    c.hiddenDim = positive(checkpoint, meta, "hidden_dim");
    c.layers = positive(checkpoint, meta, "n_layers");
    c.heads = positive(checkpoint, meta, "n_heads");
    c.kvHeads = positive(checkpoint, meta, "n_kv_heads");
    c.headDim = c.dim / c.heads;
    c.vocab = positive(checkpoint, meta, "vocab_size");
    c.contextLength = positive(checkpoint, meta, "seq_len");
    c.tiedHead = meta.at("shared_classifier") == "true";
    c.ropeLayout = RopeLayout::Interleaved; // run.c's constants: eps 1e-5, theta 10000
    return c;
}

// transformers' defaults for what a multimodal model's text_config may leave out.
json withDefaults(json config)
{
    static const std::map<std::string, json> defaults{
        {"llama",
         {{"vocab_size", 32000}, {"hidden_size", 4096}, {"intermediate_size", 11008}, {"num_hidden_layers", 32},
          {"num_attention_heads", 32}, {"max_position_embeddings", 2048}}},
        {"mistral",
         {{"vocab_size", 32000}, {"hidden_size", 4096}, {"intermediate_size", 14336}, {"num_hidden_layers", 32},
          {"num_attention_heads", 32}, {"num_key_value_heads", 8}, {"max_position_embeddings", 4096 * 32}}},
        {"qwen2",
         {{"vocab_size", 151936}, {"hidden_size", 4096}, {"intermediate_size", 22016}, {"num_hidden_layers", 32},
          {"num_attention_heads", 32}, {"max_position_embeddings", 32768}}},
    };
    if (!config.is_object() || !config.contains("model_type") || !config["model_type"].is_string())
        return config;
    if (const auto it = defaults.find(config["model_type"].get<std::string>()); it != defaults.end())
        for (const auto &[key, value] : it->second.items())
            if (!config.contains(key))
                config[key] = value;
    return config;
}

LlamaConfig fromJson(const Checkpoint &checkpoint, const json &config, const std::string &section)
{
    const ConfigReader r(checkpoint, config, section);
    if (!config.is_object())
        r.fail("not a JSON object");
    const std::string type = r.text("model_type", "");
    if (type != "llama" && type != "mistral" && type != "qwen2")
        r.fail("model_type '" + type + "' is not one the LLaMA runtime runs (llama, mistral, qwen2)");
    if (const std::string act = r.text("hidden_act", "silu"); act != "silu")
        r.fail("hidden_act '" + act + "': the LLaMA runtime has SwiGLU with silu only");
    if (r.present("rope_scaling"))
        r.fail("rope_scaling is not supported yet");

    LlamaConfig c;
    c.dim = r.positive("hidden_size");
    c.hiddenDim = r.positive("intermediate_size");
    c.layers = r.positive("num_hidden_layers");
    c.heads = r.positive("num_attention_heads");
    c.kvHeads = r.positive("num_key_value_heads", c.heads);
    if (c.heads % c.kvHeads != 0)
        r.fail("num_key_value_heads does not divide num_attention_heads");
    if (!r.present("head_dim") && c.dim % c.heads != 0)
        r.fail("num_attention_heads does not divide hidden_size");
    c.headDim = r.positive("head_dim", c.dim / c.heads);
    if (c.headDim % 2 != 0)
        r.fail("rotary embeddings need an even head dimension");
    c.vocab = r.positive("vocab_size");
    c.contextLength = r.positive("max_position_embeddings");
    // A sliding window limits what a position can see; within one window attention is
    // full, so capping the context at the window keeps the results exact.
    if (r.present("sliding_window") && r.flag("use_sliding_window", true))
        c.contextLength = std::min(c.contextLength, r.positive("sliding_window"));
    c.rmsNormEps = r.number("rms_norm_eps", 1e-6); // transformers' LlamaConfig default
    c.ropeTheta = r.number("rope_theta", 10000);
    c.tiedHead = r.flag("tie_word_embeddings", false);
    c.ropeLayout = RopeLayout::HalfSplit;
    return c;
}

} // namespace

LlamaConfig readLlamaConfig(const Checkpoint &checkpoint)
{
    if (checkpoint.format() == "llama2.c")
        return fromLlama2c(checkpoint);
    const auto it = checkpoint.metadata().find(kConfigKey);
    if (it == checkpoint.metadata().end())
        throw FileError(checkpoint.path(),
                        "no config.json: a LLaMA model is run from its folder (config.json + weights) or a llama2.c file");
    return fromJson(checkpoint, json::parse(it->second, nullptr, /*allow_exceptions=*/false), {});
}

LlamaConfig readLlamaConfig(const Checkpoint &checkpoint, const json &config, const std::string &section)
{
    return fromJson(checkpoint, withDefaults(config), section);
}

std::string hfConfigJson(const LlamaConfig &c)
{
    const json config{{"architectures", {"LlamaForCausalLM"}},
                      {"model_type", "llama"},
                      {"hidden_act", "silu"},
                      {"hidden_size", c.dim},
                      {"intermediate_size", c.hiddenDim},
                      {"num_hidden_layers", c.layers},
                      {"num_attention_heads", c.heads},
                      {"num_key_value_heads", c.kvHeads},
                      {"head_dim", c.headDim},
                      {"vocab_size", c.vocab},
                      {"max_position_embeddings", c.contextLength},
                      {"rms_norm_eps", c.rmsNormEps},
                      {"rope_theta", c.ropeTheta},
                      {"tie_word_embeddings", c.tiedHead},
                      {"torch_dtype", "float32"}};
    return config.dump(2);
}

} // namespace sculpt
