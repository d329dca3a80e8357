#include "adapt/head_pruning.h"

#include <torch/torch.h>

#include <map>
#include <stdexcept>
#include <string>

namespace sculpt {

ModelCost forwardCost(VisionModel &model)
{
    ModelCost cost;
    for (const auto &[name, tensor] : model.parameters())
        cost.parameters += tensor.numel();
    std::vector<LinearSite> sites = model.linearSites();
    std::map<std::string, int64_t> tokens; // rows each site saw
    for (LinearSite &site : sites) {
        const Linear &linear = *site.linear;
        const int64_t perRow = linear.isLowRank()
                                   ? linear.factors().b.size(0) * (linear.inFeatures() + linear.outFeatures())
                                   : linear.inFeatures() * linear.outFeatures();
        site.linear->observeInputs([&cost, &tokens, name = site.name, perRow](const torch::Tensor &x) {
            int64_t rows = 1; // not numel / width: a projection from removed heads reads 0 columns
            for (int64_t i = 0; i + 1 < x.dim(); ++i)
                rows *= x.size(i);
            cost.multiplyAdds += rows * perRow;
            tokens[name] = rows;
        });
    }
    {
        c10::InferenceMode inference;
        const ImageFormat &f = model.imageFormat();
        model.forward(ModelInput::ofPixels(torch::zeros({1, f.channels, f.size, f.size}, model.device())));
    }
    for (LinearSite &site : sites)
        site.linear->observeInputs({});
    for (const AttentionSite &site : model.attentionSites()) {
        const int64_t t = tokens.at(site.inputs.front());
        cost.multiplyAdds += 2 * site.heads * t * t * site.headDim;
    }
    return cost;
}

HeadPruning pruneHeads(VisionModel &model, const std::vector<LayerHead> &heads)
{
    const std::vector<AttentionSite> sites = model.attentionSites();
    std::map<int64_t, std::vector<int64_t>> byLayer;
    for (const auto &[layer, head] : heads) {
        if (layer < 0 || layer >= int64_t(sites.size()) || head < 0 || head >= sites[size_t(layer)].heads)
            throw std::invalid_argument("no head " + std::to_string(head) + " in layer " + std::to_string(layer) +
                                        " to remove");
        byLayer[layer].push_back(head);
    }
    std::map<std::string, const Linear *> linears;
    for (const LinearSite &site : model.linearSites())
        linears[site.name] = site.linear;
    for (const auto &[layer, ofLayer] : byLayer) {
        std::vector<std::string> names = sites[size_t(layer)].inputs;
        names.push_back(sites[size_t(layer)].output);
        for (const std::string &name : names)
            if (!linears.at(name)->adapters().empty())
                throw std::invalid_argument(name + " has adapters attached: merge them before removing heads");
    }
    HeadPruning pruning;
    pruning.before = forwardCost(model);
    for (const auto &[layer, ofLayer] : byLayer)
        model.removeHeads(layer, ofLayer);
    pruning.after = forwardCost(model);
    return pruning;
}

} // namespace sculpt
