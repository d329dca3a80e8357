#include "adapt/head_scoring.h"

#include <stdexcept>

namespace sculpt {
namespace {

std::vector<std::unique_ptr<HeadScoreStrategy>> &registry()
{
    static std::vector<std::unique_ptr<HeadScoreStrategy>> strategies;
    return strategies;
}

} // namespace

void registerHeadScoreStrategy(std::unique_ptr<HeadScoreStrategy> strategy)
{
    if (!findHeadScoreStrategy(strategy->name()))
        registry().push_back(std::move(strategy));
}

const HeadScoreStrategy *findHeadScoreStrategy(const std::string &name)
{
    for (const auto &s : registry())
        if (s->name() == name)
            return s.get();
    return nullptr;
}

std::vector<const HeadScoreStrategy *> headScoreStrategies()
{
    std::vector<const HeadScoreStrategy *> all;
    for (const auto &s : registry())
        all.push_back(s.get());
    return all;
}

void maskHeads(Model &model, const std::vector<std::pair<int64_t, int64_t>> &heads)
{
    const std::vector<AttentionSite> sites = model.attentionSites();
    for (const auto &[layer, head] : heads)
        if (layer < 0 || layer >= int64_t(sites.size()) || head < 0 || head >= sites[size_t(layer)].heads)
            throw std::invalid_argument("the model has no head " + std::to_string(head) + " in layer " +
                                        std::to_string(layer));
    for (const AttentionSite &site : sites)
        *site.gate = torch::ones({site.heads}, torch::TensorOptions().device(model.device()));
    for (const auto &[layer, head] : heads)
        (*sites[size_t(layer)].gate)[head] = 0;
}

} // namespace sculpt
