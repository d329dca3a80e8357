#include "adapt/adapter_importance.h"

#include "adapt/task_loss.h"
#include "runtime/adapter.h"

#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <stdexcept>

namespace sculpt {
namespace {

// The adapters in adapterPositions' order.
std::vector<std::shared_ptr<Adapter>> adaptersOf(Model &model, std::vector<AdapterPosition> *positions)
{
    std::vector<std::shared_ptr<Adapter>> adapters;
    const auto add = [&](const std::shared_ptr<Adapter> &adapter, const std::string &site, int64_t layer,
                         const std::string &role) {
        adapters.push_back(adapter);
        if (positions)
            positions->push_back({site, layer, role, adapter->kind(), adapter->parameterCount()});
    };
    for (const LinearSite &site : model.linearSites())
        for (const auto &adapter : site.linear->adapters())
            add(adapter, site.name, site.layer, adapter->partName().empty() ? site.role : adapter->partName());
    for (const MlpSite &site : model.mlpSites())
        for (const auto &adapter : *site.adapters)
            add(adapter, site.name, site.layer, "mlp");
    return adapters;
}

} // namespace

std::vector<AdapterPosition> adapterPositions(Model &model)
{
    std::vector<AdapterPosition> positions;
    adaptersOf(model, &positions);
    return positions;
}

std::vector<AdapterScore> adapterImportance(Model &model, const LabelledImages &data, const JobContext &job)
{
    std::vector<AdapterPosition> positions;
    const std::vector<std::shared_ptr<Adapter>> adapters = adaptersOf(model, &positions);
    if (adapters.empty())
        throw std::invalid_argument("the model holds no adapter to score");
    std::vector<torch::Tensor> tensors;
    for (const auto &adapter : adapters)
        for (auto &[name, t] : adapter->ownParameters())
            tensors.push_back(t);
    for (torch::Tensor &t : tensors) {
        t.requires_grad_(true);
        t.mutable_grad() = torch::Tensor();
    }
    // Left as found whatever happens: no tensor requires a gradient, none holds one.
    const std::shared_ptr<void> restore(nullptr, [&tensors](void *) {
        for (torch::Tensor &t : tensors)
            t.requires_grad_(false).mutable_grad() = torch::Tensor();
    });
    backwardOverBatches(model, data, "adapter scores", job, {}, {});
    std::vector<AdapterScore> scores;
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < adapters.size(); ++i) {
        double sum = 0;
        for (auto &[name, t] : adapters[i]->ownParameters())
            if (t.grad().defined())
                sum += (t.to(torch::kFloat64) * t.grad().to(torch::kFloat64)).sum().item<double>();
        scores.push_back({positions[i], std::abs(sum)});
    }
    return scores;
}

} // namespace sculpt
