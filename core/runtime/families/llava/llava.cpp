#include "runtime/families/llava/llava.h"

#include "runtime/weights.h"

#include <stdexcept>

namespace sculpt {
namespace {

constexpr double kInitStd = 0.02; // transformers' initializer_range

} // namespace

Llava::Llava(const WeightSource &weights, const LlavaConfig &config)
    : config_(config),
      tower_(weights, config.vision),
      projectorIn_(weights.linear(kLlavaProjectorIn, config.text.dim, config.vision.dim, config.projectorBias,
                                  Init::normal(kInitStd))),
      projectorOut_(weights.linear(kLlavaProjectorOut, config.text.dim, config.text.dim, config.projectorBias,
                                   Init::normal(kInitStd))),
      decoder_(weights, config.text)
{
}

torch::Tensor Llava::imageFeatures(const torch::Tensor &pixels) const
{
    torch::Tensor features = tower_.forward(ModelInput::ofPixels(pixels), {config_.featureLayer}).hidden.at(0);
    if (config_.dropFirstToken)
        features = features.narrow(1, 1, features.size(1) - 1);
    return projectorOut_(applyActivation(config_.projectorActivation, projectorIn_(features)));
}

ModelOutput Llava::forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter) const
{
    torch::Tensor x = decoder_.embed(input.tokens);
    const torch::Tensor slots = input.tokens.eq(config_.imageToken);
    const int64_t images = input.pixels.defined() ? input.pixels.size(0) : 0;
    const int64_t found = slots.sum().item<int64_t>(), wanted = images * config_.imageTokens();
    if (found != wanted)
        throw std::invalid_argument("the prompt holds " + std::to_string(found) + " image tokens, but " +
                                    std::to_string(images) + " images take " + std::to_string(wanted) + " (" +
                                    std::to_string(config_.imageTokens()) + " each)");
    // masked_scatter fills the slots in row-major order: the first image's tokens first.
    if (images > 0)
        x = x.masked_scatter(slots.unsqueeze(-1).expand_as(x), imageFeatures(input.pixels).to(x.dtype()));
    return decoder_.forwardEmbedded(x, input.documents, hiddenAfter);
}

torch::Tensor Llava::step(const torch::Tensor &tokens, KvCache *cache) const
{
    if (tokens.eq(config_.imageToken).any().item<bool>())
        throw std::invalid_argument("an image token needs its image: run the prompt through forward() with the pixels");
    return decoder_.step(tokens, cache);
}

std::vector<LinearSite> Llava::linearSites()
{
    std::vector<LinearSite> all = decoder_.linearSites();
    all.push_back({kLlavaProjectorIn, "projector", -1, &projectorIn_});
    all.push_back({kLlavaProjectorOut, "projector", -1, &projectorOut_});
    return all;
}

std::vector<std::pair<std::string, torch::Tensor>> Llava::parameters()
{
    std::vector<std::pair<std::string, torch::Tensor>> all = tower_.parameters();
    for (const LinearSite &site : linearSites())
        if (site.role == "projector")
            for (auto &named : site.linear->parameters(site.name))
                all.push_back(std::move(named));
    for (auto &named : decoder_.parameters())
        all.push_back(std::move(named));
    return all;
}

std::string Llava::hfConfigJson() const
{
    throw std::invalid_argument("a LLaVA model is not written back to a folder yet");
}

std::vector<std::pair<std::string, torch::Tensor>> Llava::checkpointTensors(bool)
{
    throw std::invalid_argument("a LLaVA model is not written back to a folder yet");
}

} // namespace sculpt
