#include "pear/pear_sharing.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace sculpt {
namespace {

// Where position k's adapter is held: a linear site's layer, or an MLP site's list.
struct Slot {
    Linear *linear = nullptr;
    std::vector<std::shared_ptr<Adapter>> *list = nullptr;
    size_t index = 0;
    std::shared_ptr<Adapter> adapter;
};

// In adapterPositions' order.
std::vector<Slot> slotsOf(Model &model)
{
    std::vector<Slot> slots;
    for (const LinearSite &site : model.linearSites())
        for (size_t i = 0; i < site.linear->adapters().size(); ++i)
            slots.push_back({site.linear, nullptr, i, site.linear->adapters()[i]});
    for (const MlpSite &site : model.mlpSites())
        for (size_t i = 0; i < site.adapters->size(); ++i)
            slots.push_back({nullptr, site.adapters, i, (*site.adapters)[i]});
    return slots;
}

// Shapes must match for one adapter to stand in for another: its input and output widths.
bool sameShape(const Slot &a, const Slot &b)
{
    if (bool(a.linear) != bool(b.linear))
        return false;
    return !a.linear || (a.linear->inFeatures() == b.linear->inFeatures() &&
                         a.linear->outFeatures() == b.linear->outFeatures());
}

// The candidates of pruned position i, nearest by depth first (same role, then shallower).
std::vector<size_t> candidatesByDepth(const PearPlan &plan, const std::vector<Slot> &slots, size_t i)
{
    std::vector<size_t> found;
    for (size_t j = 0; j < slots.size(); ++j)
        if (!plan.pruned[j] && plan.positions[j].kind == plan.positions[i].kind && sameShape(slots[i], slots[j]))
            found.push_back(j);
    const AdapterPosition &p = plan.positions[i];
    const auto key = [&](size_t j) {
        const AdapterPosition &q = plan.positions[j];
        return std::tuple(std::abs(q.layer - p.layer), q.role != p.role, q.layer, j);
    };
    std::sort(found.begin(), found.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
    return found;
}

// Each pruned linear position's inputs over one batch of calibration images: [tokens, in].
std::map<size_t, torch::Tensor> pruningInputs(Model &model, const PearPlan &plan, const std::vector<Slot> &slots,
                                              const LabelledImages &calibration)
{
    std::map<size_t, torch::Tensor> inputs;
    for (size_t i = 0; i < slots.size(); ++i)
        if (plan.pruned[i] && slots[i].linear)
            slots[i].linear->observeInputs([&inputs, i](const torch::Tensor &x) {
                inputs[i] = x.detach().reshape({-1, x.size(-1)});
            });
    torch::NoGradGuard noGrad;
    const int64_t n = std::min<int64_t>(64, calibration.count());
    if (n == 0)
        throw std::invalid_argument("the output rule needs calibration images");
    model.forward(ModelInput::ofPixels(calibration.pixels.narrow(0, 0, n)));
    for (const Slot &slot : slots)
        if (slot.linear)
            slot.linear->observeInputs({});
    return inputs;
}

} // namespace

PearPlan planPear(Model &model, const std::vector<AdapterScore> &scores, double p, ShareRule rule,
                  const LabelledImages &calibration, const JobContext &job)
{
    PearPlan plan;
    plan.positions = adapterPositions(model);
    if (scores.size() != plan.positions.size())
        throw std::invalid_argument("the scores are of another model's adapters");
    plan.pruned = weakestAdapters(scores, p);
    plan.servedBy.assign(plan.positions.size(), -1);
    const std::vector<Slot> slots = slotsOf(model);
    std::map<size_t, torch::Tensor> inputs;
    if (rule == ShareRule::Output)
        inputs = pruningInputs(model, plan, slots, calibration);
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < slots.size(); ++i) {
        job.checkCancelled();
        if (!plan.pruned[i])
            continue;
        const std::vector<size_t> candidates = candidatesByDepth(plan, slots, i);
        if (candidates.empty())
            continue;
        size_t best = candidates.front();
        if (rule == ShareRule::Output && inputs.count(i)) {
            const torch::Tensor &x = inputs.at(i);
            const torch::Tensor target = (*slots[i].adapter)(x);
            double least = std::numeric_limits<double>::infinity();
            for (size_t j : candidates) { // in depth order: a tie keeps the nearer
                const double error = ((*slots[j].adapter)(x) - target).pow(2).sum().item<double>();
                if (error < least)
                    least = error, best = j;
            }
        }
        plan.servedBy[i] = int64_t(best);
    }
    return plan;
}

std::vector<torch::Tensor> applyPear(Model &model, const PearPlan &plan, bool knowledgeCheckpoint, bool share)
{
    const std::vector<Slot> slots = slotsOf(model);
    if (slots.size() != plan.positions.size())
        throw std::invalid_argument("the plan is of another model's adapters");
    torch::NoGradGuard noGrad;
    // What each adapter list becomes, built whole before any is replaced: slots index the old lists.
    std::map<Linear *, std::vector<std::shared_ptr<Adapter>>> linears;
    std::map<std::vector<std::shared_ptr<Adapter>> *, std::vector<std::shared_ptr<Adapter>>> lists;
    std::vector<torch::Tensor> scales;
    for (size_t i = 0; i < slots.size(); ++i) {
        const Slot &slot = slots[i];
        auto &now = slot.linear ? linears[slot.linear] : lists[slot.list];
        if (!plan.pruned[i]) {
            now.push_back(slot.adapter);
            continue;
        }
        if (knowledgeCheckpoint)
            now.push_back(std::make_shared<FrozenAdapter>(slot.adapter));
        if (share && plan.servedBy[i] >= 0) {
            // With the checkpoint the position already computes what it learned: the shared
            // adapter enters silent and training finds how much it should add. Without, it
            // stands in for the pruned adapter whole.
            torch::Tensor scale = torch::full({}, knowledgeCheckpoint ? 0.0 : 1.0,
                                              torch::TensorOptions().device(model.device()));
            scales.push_back(scale);
            now.push_back(std::make_shared<SharedAdapter>(slots[size_t(plan.servedBy[i])].adapter, scale));
        }
    }
    for (auto &[linear, adapters] : linears) {
        linear->detachAdapters();
        for (auto &adapter : adapters)
            linear->attach(adapter);
    }
    for (auto &[list, adapters] : lists)
        *list = adapters;
    return scales;
}

} // namespace sculpt
