#include "adapt/head_scoring.h"

#include "adapt/registry.h"

#include <stdexcept>

namespace sculpt {
namespace {

Registry<HeadScoreStrategy> &registry()
{
    static Registry<HeadScoreStrategy> strategies;
    return strategies;
}

} // namespace

void registerHeadScoreStrategy(std::unique_ptr<HeadScoreStrategy> strategy) { registry().add(std::move(strategy)); }
const HeadScoreStrategy *findHeadScoreStrategy(const std::string &name) { return registry().find(name); }
std::vector<const HeadScoreStrategy *> headScoreStrategies() { return registry().all(); }

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
