#include "runtime/model_family.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "model/architecture.h"
#include "runtime/families/gpt2/gpt2.h"
#include "runtime/families/layout/layout_model.h"
#include "runtime/families/llama/llama.h"
#include "runtime/families/llava/llava.h"
#include "runtime/families/vit/vit.h"
#include "runtime/weights.h"

#include <map>

namespace sculpt {

namespace {

using Loader = std::unique_ptr<Model> (*)(const Checkpoint &, const ModelOptions &, torch::Device);

// Each family's loader, under the name its claim (model_kind.cpp) gives it.
const std::map<std::string, Loader> &loaders()
{
    static const std::map<std::string, Loader> all{
        {"vit",
         [](const Checkpoint &c, const ModelOptions &o, torch::Device device) -> std::unique_ptr<Model> {
             const VitConfig config = readVitConfig(c, o.sidecar);
             return std::make_unique<Vit>(CheckpointWeights(c, device, config.renames), config);
         }},
        {"llama",
         [](const Checkpoint &c, const ModelOptions &, torch::Device device) -> std::unique_ptr<Model> {
             const LlamaConfig config = readLlamaConfig(c);
             return std::make_unique<Llama>(CheckpointWeights(c, device), config);
         }},
        {"gpt2",
         [](const Checkpoint &c, const ModelOptions &, torch::Device device) -> std::unique_ptr<Model> {
             const Gpt2Config config = readGpt2Config(c);
             return std::make_unique<Gpt2>(CheckpointWeights(c, device), config, gpt2NamePrefix(c));
         }},
        {"llava",
         [](const Checkpoint &c, const ModelOptions &, torch::Device device) -> std::unique_ptr<Model> {
             const LlavaConfig config = readLlavaConfig(c);
             return std::make_unique<Llava>(CheckpointWeights(c, device, config.renames), config);
         }},
        {"layout",
         [](const Checkpoint &c, const ModelOptions &, torch::Device device) -> std::unique_ptr<Model> {
             return std::make_unique<LayoutTransformer>(CheckpointWeights(c, device), readLayoutConfig(c));
         }},
    };
    return all;
}

} // namespace

std::unique_ptr<Model> loadFamily(const std::string &name, const Checkpoint &checkpoint, const ModelOptions &options,
                                  torch::Device device)
{
    return loaders().at(name)(checkpoint, options, device);
}

std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, torch::Device device, const ModelOptions &options)
{
    if (const FamilyClaim *f = claimingFamily(checkpoint, options))
        return loadFamily(f->name, checkpoint, options, device);
    throw FileError(checkpoint.path(), "architecture '" + std::string(architectureName(detectArchitecture(checkpoint))) +
                                           "' is not one Sculpt runs (LLaMA, Mistral, Qwen2, GPT-2, ViT, LLaVA, sculpt-layout)");
}

std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, ModelKind kind, torch::Device device,
                                 const ModelOptions &options)
{
    const FamilyClaim *fallback = nullptr;
    for (const FamilyClaim &f : familyClaims()) {
        if (f.kind != kind)
            continue;
        if (f.claims(checkpoint, options))
            return loadFamily(f.name, checkpoint, options, device);
        if (!fallback)
            fallback = &f;
    }
    return loadFamily(fallback->name, checkpoint, options, device);
}

std::unique_ptr<CausalModel> loadCausalModel(const Checkpoint &checkpoint, torch::Device device)
{
    return std::unique_ptr<CausalModel>(
        static_cast<CausalModel *>(loadModel(checkpoint, ModelKind::Language, device).release()));
}

} // namespace sculpt
