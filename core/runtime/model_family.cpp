#include "runtime/model_family.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "model/architecture.h"
#include "runtime/families/gpt2/gpt2.h"
#include "runtime/families/llama/llama.h"
#include "runtime/families/vit/vit.h"
#include "runtime/weights.h"

namespace sculpt {

const std::vector<ModelFamily> &modelFamilies()
{
    static const std::vector<ModelFamily> families{
        // First, so a model whose sidecar says it is a ViT is one whatever its names say. Each
        // kind's first family is the one loadModel(…, kind, …) falls back on.
        {"vit", ModelKind::Vision,
         [](const Checkpoint &c, const ModelOptions &o) {
             return !o.sidecar.empty() || detectArchitecture(c) == Architecture::Vit;
         },
         [](const Checkpoint &c, const ModelOptions &o, torch::Device device) -> std::unique_ptr<Model> {
             const VitConfig config = readVitConfig(c, o.sidecar);
             return std::make_unique<Vit>(CheckpointWeights(c, device, config.renames), config);
         }},
        {"llama", ModelKind::Language,
         [](const Checkpoint &c, const ModelOptions &) { return detectArchitecture(c) == Architecture::Llama; },
         [](const Checkpoint &c, const ModelOptions &, torch::Device device) -> std::unique_ptr<Model> {
             const LlamaConfig config = readLlamaConfig(c);
             return std::make_unique<Llama>(CheckpointWeights(c, device), config);
         }},
        {"gpt2", ModelKind::Language,
         [](const Checkpoint &c, const ModelOptions &) { return detectArchitecture(c) == Architecture::Gpt2; },
         [](const Checkpoint &c, const ModelOptions &, torch::Device device) -> std::unique_ptr<Model> {
             const Gpt2Config config = readGpt2Config(c);
             return std::make_unique<Gpt2>(CheckpointWeights(c, device), config, gpt2NamePrefix(c));
         }},
    };
    return families;
}

std::optional<ModelKind> runnableKind(const Checkpoint &checkpoint, const ModelOptions &options)
{
    for (const ModelFamily &f : modelFamilies())
        if (f.claims(checkpoint, options))
            return f.kind;
    return std::nullopt;
}

std::string kindName(ModelKind kind) { return kind == ModelKind::Language ? "language model" : "vision model"; }

std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, torch::Device device, const ModelOptions &options)
{
    for (const ModelFamily &f : modelFamilies())
        if (f.claims(checkpoint, options))
            return f.load(checkpoint, options, device);
    throw FileError(checkpoint.path(), "architecture '" + std::string(architectureName(detectArchitecture(checkpoint))) +
                                           "' is not one Sculpt runs (LLaMA, Mistral, Qwen2, GPT-2, ViT)");
}

std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, ModelKind kind, torch::Device device,
                                 const ModelOptions &options)
{
    const ModelFamily *fallback = nullptr;
    for (const ModelFamily &f : modelFamilies()) {
        if (f.kind != kind)
            continue;
        if (f.claims(checkpoint, options))
            return f.load(checkpoint, options, device);
        if (!fallback)
            fallback = &f;
    }
    return fallback->load(checkpoint, options, device);
}

std::unique_ptr<CausalModel> loadCausalModel(const Checkpoint &checkpoint, torch::Device device)
{
    return std::unique_ptr<CausalModel>(
        static_cast<CausalModel *>(loadModel(checkpoint, ModelKind::Language, device).release()));
}

} // namespace sculpt
