#include "runtime/families/gpt2/gpt2_config.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "io/hf_folder.h"
#include "runtime/config_reader.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace sculpt {

using json = nlohmann::json;

Gpt2Config readGpt2Config(const Checkpoint &checkpoint)
{
    const auto it = checkpoint.metadata().find(kConfigKey);
    if (it == checkpoint.metadata().end())
        throw FileError(checkpoint.path(),
                        "no config.json: a GPT-2 model is run from its folder (config.json + weights)");
    const json config = json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    const ConfigReader r(checkpoint, config);
    if (!config.is_object())
        r.fail("not a JSON object");
    if (const std::string type = r.text("model_type", "gpt2"); type != "gpt2")
        r.fail("model_type '" + type + "' is not gpt2");
    // gelu_new, gelu_pytorch_tanh and gelu_fast are one function: GELU's tanh approximation.
    if (const std::string act = r.text("activation_function", "gelu_new");
        act != "gelu_new" && act != "gelu_pytorch_tanh" && act != "gelu_fast")
        r.fail("activation_function '" + act + "': the GPT-2 runtime has GELU's tanh approximation (gelu_new) only");
    if (!r.flag("scale_attn_weights", true) || r.flag("scale_attn_by_inverse_layer_idx", false))
        r.fail("attention scaled other than by 1/sqrt(head size) is not supported");
    if (!r.flag("tie_word_embeddings", true))
        r.fail("an lm_head untied from the token embedding is not supported");
    if (r.flag("add_cross_attention", false))
        r.fail("cross-attention (an encoder-decoder GPT-2) is not supported");

    Gpt2Config c;
    c.dim = r.positive("n_embd");
    c.layers = r.positive("n_layer");
    c.heads = r.positive("n_head");
    if (c.dim % c.heads != 0)
        r.fail("n_head does not divide n_embd");
    c.headDim = c.dim / c.heads;
    if (!r.present("n_inner") && c.dim > std::numeric_limits<int64_t>::max() / 4)
        r.fail("n_embd is too large for the default n_inner (4·n_embd)");
    c.hiddenDim = r.present("n_inner") ? r.positive("n_inner") : 4 * c.dim;
    c.vocab = r.positive("vocab_size");
    c.contextLength = r.present("n_positions") ? r.positive("n_positions") : r.positive("n_ctx");
    c.layerNormEps = r.number("layer_norm_epsilon", 1e-5);
    return c;
}

std::string hfConfigJson(const Gpt2Config &c)
{
    const json config{{"architectures", {"GPT2LMHeadModel"}},
                      {"model_type", "gpt2"},
                      {"activation_function", "gelu_new"},
                      {"n_embd", c.dim},
                      {"n_inner", c.hiddenDim},
                      {"n_layer", c.layers},
                      {"n_head", c.heads},
                      {"vocab_size", c.vocab},
                      {"n_positions", c.contextLength},
                      {"n_ctx", c.contextLength},
                      {"layer_norm_epsilon", c.layerNormEps},
                      {"tie_word_embeddings", true},
                      {"torch_dtype", "float32"}};
    return config.dump(2);
}

} // namespace sculpt
