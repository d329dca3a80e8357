// Files a reader finds beside weights, compiled once per target (SCULPT_FUZZ_TARGET):
//   hf_config    the input is config.json in a folder with a tiny valid model.safetensors; the
//                folder is opened and every config reader (LLaMA, GPT-2, ViT) reads it;
//   vit_sidecar  the input is a ViT sidecar config, read for a plain safetensors file and for a
//                Hugging Face folder whose config.json is valid;
//   shard_index  the input is model.safetensors.index.json beside two tiny valid shards
//                (model-0000{1,2}-of-00002.safetensors holding a, b and c).
// The folders live in this process's scratch folder under /tmp.

#include "fuzz_input.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "io/safetensors.h"
#include "model/architecture.h"
#include "model/inventory.h"
#include "runtime/families/gpt2/gpt2_config.h"
#include "runtime/families/llama/llama_config.h"
#include "runtime/families/llava/llava_config.h"
#include "runtime/families/vit/vit_config.h"
#include "runtime/language_model_config.h"

#include <filesystem>

using namespace sculpt;

static_assert(fuzz::kTarget == "hf_config" || fuzz::kTarget == "vit_sidecar" || fuzz::kTarget == "shard_index");

namespace {

// A folder under the scratch folder, made once.
std::string folder(const std::string &name)
{
    const std::string path = fuzz::scratchFolder() + "/" + name;
    std::filesystem::create_directories(path);
    return path;
}

// A small safetensors file holding float32 tensors named `names`, each of shape [2, 2].
void writeTinyWeights(const std::string &path, const std::vector<std::string> &names)
{
    static const float values[4] = {1, 2, 3, 4};
    std::vector<TensorToWrite> tensors;
    for (const std::string &name : names)
        tensors.push_back({name, DType::F32, {2, 2}, std::as_bytes(std::span(values))});
    writeSafetensors(path, tensors);
}

void touch(const Checkpoint &checkpoint)
{
    for (const auto &t : checkpoint.tensors())
        if (t.elements() <= (1u << 16))
            fuzz::refusing([&] { (void)checkpoint.toFloat32(t); });
}

void hfConfig(std::string_view input)
{
    static const std::string dir = [] {
        const std::string d = folder("hf");
        writeTinyWeights(d + "/model.safetensors", {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                                                    "vit.encoder.layer.0.attention.attention.query.weight",
                                                    "language_model.model.embed_tokens.weight"});
        return d;
    }();
    fuzz::writeFile(dir + "/config.json", input);
    fuzz::refusing([&] {
        const auto checkpoint = openCheckpoint(dir);
        fuzz::refusing([&] { (void)detectArchitecture(*checkpoint); });
        fuzz::refusing([&] { (void)buildInventory(*checkpoint); });
        fuzz::refusing([&] { (void)readLlamaConfig(*checkpoint); });
        fuzz::refusing([&] { (void)readGpt2Config(*checkpoint); });
        fuzz::refusing([&] { (void)readVitConfig(*checkpoint); });
        fuzz::refusing([&] { (void)readLlavaConfig(*checkpoint); });
        fuzz::refusing([&] { (void)configuredVocabSize(*checkpoint); });
    });
}

void vitSidecar(std::string_view input)
{
    // The same tensors twice: as a lone file (the sidecar says everything) and in a folder
    // whose config.json the sidecar overlays.
    static const std::vector<std::unique_ptr<Checkpoint>> checkpoints = [] {
        const std::vector<std::string> names{"cls_token", "pos_embedding", "patch_to_embedding.weight"};
        const std::string plain = folder("vit") + "/vit.safetensors";
        writeTinyWeights(plain, names);
        const std::string hf = folder("vit-hf");
        writeTinyWeights(hf + "/model.safetensors", names);
        fuzz::writeFile(hf + "/config.json",
                        R"({"model_type": "vit", "image_size": 28, "patch_size": 7, "num_channels": 1,
                            "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                            "intermediate_size": 128, "num_labels": 10, "hidden_act": "gelu"})");
        std::vector<std::unique_ptr<Checkpoint>> opened;
        opened.push_back(openCheckpoint(plain));
        opened.push_back(openCheckpoint(hf));
        return opened;
    }();
    const std::string sidecar = folder("vit") + "/sidecar.json";
    fuzz::writeFile(sidecar, input);
    for (const auto &checkpoint : checkpoints)
        fuzz::refusing([&] {
            const VitConfig config = readVitConfig(*checkpoint, sidecar);
            fuzz::expect(config.mean.size() == size_t(config.channels) && config.std.size() == size_t(config.channels),
                         "a mean and a std per channel");
        });
}

void shardIndex(std::string_view input)
{
    static const std::string dir = [] {
        const std::string d = folder("shards");
        writeTinyWeights(d + "/model-00001-of-00002.safetensors", {"a", "b"});
        writeTinyWeights(d + "/model-00002-of-00002.safetensors", {"c"});
        return d;
    }();
    const std::string index = dir + "/model.safetensors.index.json";
    fuzz::writeFile(index, input);
    fuzz::refusing([&] { touch(*openCheckpoint(index)); });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    if constexpr (fuzz::kTarget == "hf_config")
        hfConfig(input);
    else if constexpr (fuzz::kTarget == "vit_sidecar")
        vitSidecar(input);
    else
        shardIndex(input);
    return 0;
}
