#include "heat/head_strategies.h"

#include "adapt/head_scoring.h"
#include "adapt/task_loss.h"
#include "heat/score_table.h"
#include "runtime/adapter.h"

#include <torch/torch.h>

#include <functional>
#include <map>
#include <stdexcept>

namespace sculpt {
namespace {

// The gates as the caller left them, put back whatever happens in between.
class SavedGates {
public:
    explicit SavedGates(const std::vector<AttentionSite> &sites) : sites_(sites)
    {
        for (const AttentionSite &s : sites_)
            saved_.push_back(*s.gate);
    }
    ~SavedGates()
    {
        for (size_t l = 0; l < sites_.size(); ++l)
            *sites_[l].gate = saved_[l];
    }
    // Each head's gate value now: 1 where no gate was set.
    torch::Tensor current(size_t layer, torch::Device device) const
    {
        return saved_[layer].defined() ? saved_[layer].detach().to(device)
                                       : torch::ones({sites_[layer].heads}, torch::TensorOptions().device(device));
    }

private:
    std::vector<AttentionSite> sites_;
    std::vector<torch::Tensor> saved_;
};

// 3. |∂L/∂ξ| for each head's gate ξ, accumulated over the images: the first-order change of the
// loss when the head is switched off.
class GateScores : public HeadScoreStrategy {
public:
    std::string name() const override { return "gate"; }
    std::string title() const override { return "Taylor score of the head's gate"; }
    std::string description() const override
    {
        return "|∂L/∂ξ| for a gate ξ on each head's output, summed over the task's images (HEAT's third strategy)";
    }
    HeadScores score(Model &model, const LabelledImages &data, uint64_t, const JobContext &job) const override
    {
        const std::vector<AttentionSite> sites = model.attentionSites();
        const SavedGates saved(sites);
        std::vector<torch::Tensor> gates;
        for (size_t l = 0; l < sites.size(); ++l)
            gates.push_back(*sites[l].gate = saved.current(l, model.device()).clone().requires_grad_(true));
        backwardOverBatches(model, data, "head scores (gate)", job, {}, {});
        std::vector<torch::Tensor> rows;
        for (const torch::Tensor &g : gates)
            rows.push_back(g.grad().abs());
        return headScores(name(), rows);
    }
};

// 2. Σ over images of |Σ a·∂L/∂a| over the head's attention output a: each image's first-order
// change when the head's output is removed, its sign dropped per image before summing.
class ActivationScores : public HeadScoreStrategy {
public:
    std::string name() const override { return "activations"; }
    std::string title() const override { return "Taylor score of the head's output"; }
    std::string description() const override
    {
        return "|Σ a·∂L/∂a| over each head's attention output a, per image, summed over the task's images "
               "(HEAT's second strategy)";
    }
    HeadScores score(Model &model, const LabelledImages &data, uint64_t, const JobContext &job) const override
    {
        const std::vector<AttentionSite> sites = model.attentionSites();
        const SavedGates saved(sites);
        std::vector<torch::Tensor> totals, gates(sites.size());
        for (const AttentionSite &s : sites)
            totals.push_back(torch::zeros({s.heads}, torch::TensorOptions().dtype(torch::kFloat64).device(model.device())));
        // A gate per image and head at its current value: its gradient is that image's a·∂L/∂a.
        const auto before = [&](int64_t images) {
            for (size_t l = 0; l < sites.size(); ++l)
                gates[l] = *sites[l].gate =
                    saved.current(l, model.device()).expand({images, sites[l].heads}).clone().requires_grad_(true);
        };
        const auto after = [&] {
            for (size_t l = 0; l < sites.size(); ++l)
                totals[l] += (gates[l].grad() * gates[l].detach()).abs().sum(0).to(torch::kFloat64);
        };
        backwardOverBatches(model, data, "head scores (activations)", job, before, after);
        return headScores(name(), totals);
    }
};

std::map<std::string, Linear *> sitesByName(Model &model)
{
    std::map<std::string, Linear *> byName;
    for (const LinearSite &s : model.linearSites())
        byName[s.name] = s.linear;
    return byName;
}

// What a head is made of: its rows of each q, k, v site (dim 0, with their biases) and its
// columns of the output site (dim 1).
struct HeadPiece {
    const Linear *linear = nullptr;
    torch::Tensor index;
    int64_t dim = 0;
};

std::vector<HeadPiece> headPieces(const AttentionSite &site, int64_t head, const std::map<std::string, Linear *> &byName,
                                  torch::Device device)
{
    std::vector<HeadPiece> pieces;
    const std::vector<torch::Tensor> rows = headInputRows(site, head);
    for (size_t i = 0; i < site.inputs.size(); ++i)
        pieces.push_back({byName.at(site.inputs[i]), rows[i].to(device), 0});
    pieces.push_back({byName.at(site.output), headOutputColumns(site, head).to(device), 1});
    return pieces;
}

// The weight each attention site computes with — its base plus what its LoRA adapters add —
// made once per scoring, not once per head.
std::map<const Linear *, torch::Tensor> effectiveWeights(const std::vector<AttentionSite> &sites,
                                                         const std::map<std::string, Linear *> &byName)
{
    std::map<const Linear *, torch::Tensor> weights;
    for (const AttentionSite &site : sites) {
        std::vector<std::string> names = site.inputs;
        names.push_back(site.output);
        for (const std::string &n : names) {
            const Linear *linear = byName.at(n);
            torch::Tensor w = linear->weight().detach();
            for (const auto &adapter : linear->adapters())
                if (const std::optional<torch::Tensor> delta = adapter->weightUpdate())
                    w = w + delta->detach();
            weights[linear] = w;
        }
    }
    return weights;
}

// Per layer, each head's Σ of `pieceValue` over its pieces.
std::vector<torch::Tensor> sumOverHeads(Model &model, const std::vector<AttentionSite> &sites,
                                        const std::function<double(const HeadPiece &)> &pieceValue)
{
    const std::map<std::string, Linear *> byName = sitesByName(model);
    std::vector<torch::Tensor> rows;
    for (const AttentionSite &site : sites) {
        torch::Tensor row = torch::zeros({site.heads}, torch::kFloat64);
        for (int64_t h = 0; h < site.heads; ++h) {
            double sum = 0;
            for (const HeadPiece &piece : headPieces(site, h, byName, model.device()))
                sum += pieceValue(piece);
            row[h] = sum;
        }
        rows.push_back(row);
    }
    return rows;
}

// The dense base weight and bias tensors the layer computes with.
std::vector<torch::Tensor> baseTensors(const Linear &linear, const std::string &name)
{
    if (linear.isLowRank())
        throw std::invalid_argument("the weights strategy needs dense attention weights, and " + name + " is low-rank");
    std::vector<torch::Tensor> base;
    for (auto &[n, t] : linear.parameters(name))
        if (n == name + ".weight" || n == name + ".bias")
            base.push_back(t);
    return base;
}

// 1. |Σ θ·∂L/∂θ| over the head's q, k, v rows and o columns (θ with its adapters' ΔW).
class WeightScores : public HeadScoreStrategy {
public:
    std::string name() const override { return "weights"; }
    std::string title() const override { return "Taylor score of the head's weights"; }
    std::string description() const override
    {
        return "|Σ θ·∂L/∂θ| over each head's q, k, v rows and output-projection columns, gradients summed over the "
               "task's images (HEAT's first strategy)";
    }
    HeadScores score(Model &model, const LabelledImages &data, uint64_t, const JobContext &job) const override
    {
        const std::map<std::string, Linear *> byName = sitesByName(model);
        const std::vector<AttentionSite> sites = model.attentionSites();
        std::vector<torch::Tensor> trained;
        for (const AttentionSite &site : sites) {
            std::vector<std::string> names = site.inputs;
            names.push_back(site.output);
            for (const std::string &n : names)
                for (torch::Tensor &t : baseTensors(*byName.at(n), n))
                    trained.push_back(t.requires_grad_(true));
        }
        struct Frozen { // the backbone stays frozen whatever happens
            std::vector<torch::Tensor> &tensors;
            ~Frozen()
            {
                for (torch::Tensor &t : tensors)
                    t.requires_grad_(false).mutable_grad() = torch::Tensor();
            }
        } frozen{trained};
        backwardOverBatches(model, data, "head scores (weights)", job, {}, {});

        torch::NoGradGuard noGrad;
        const std::map<const Linear *, torch::Tensor> theta = effectiveWeights(sites, byName);
        std::vector<torch::Tensor> rows = sumOverHeads(model, sites, [&](const HeadPiece &p) {
            double sum = (theta.at(p.linear).index_select(p.dim, p.index) * p.linear->weight().grad().index_select(p.dim, p.index))
                             .sum()
                             .item<double>();
            if (p.dim == 0 && p.linear->bias().defined())
                sum += (p.linear->bias().index_select(0, p.index) * p.linear->bias().grad().index_select(0, p.index))
                           .sum()
                           .item<double>();
            return sum;
        });
        for (torch::Tensor &row : rows)
            row.abs_();
        return headScores(name(), rows);
    }
};

// Baseline: Σ|θ| over the head's rows and columns, what magnitude pruning would keep.
class MagnitudeScores : public HeadScoreStrategy {
public:
    std::string name() const override { return "magnitude"; }
    std::string title() const override { return "Weight magnitude (baseline)"; }
    std::string description() const override
    {
        return "Σ|θ| over each head's q, k, v rows and output-projection columns; needs no data";
    }
    HeadScores score(Model &model, const LabelledImages &, uint64_t, const JobContext &) const override
    {
        torch::NoGradGuard noGrad;
        const std::vector<AttentionSite> sites = model.attentionSites();
        const std::map<const Linear *, torch::Tensor> theta = effectiveWeights(sites, sitesByName(model));
        const std::vector<torch::Tensor> rows = sumOverHeads(model, sites, [&](const HeadPiece &p) {
            return theta.at(p.linear).index_select(p.dim, p.index).abs().sum().item<double>();
        });
        return headScores(name(), rows);
    }
};

// Baseline: every head a uniform random score, from the seed.
class RandomScores : public HeadScoreStrategy {
public:
    std::string name() const override { return "random"; }
    std::string title() const override { return "Random (baseline)"; }
    std::string description() const override { return "a uniform random score per head, drawn from the seed"; }
    HeadScores score(Model &model, const LabelledImages &, uint64_t seed, const JobContext &) const override
    {
        torch::Generator generator = at::detail::createCPUGenerator(seed);
        std::vector<torch::Tensor> rows;
        for (const AttentionSite &site : model.attentionSites())
            rows.push_back(torch::rand({site.heads}, generator, torch::kFloat64));
        return headScores(name(), rows);
    }
};

} // namespace

void registerHeadScoreStrategies()
{
    registerHeadScoreStrategy(std::make_unique<WeightScores>());
    registerHeadScoreStrategy(std::make_unique<ActivationScores>());
    registerHeadScoreStrategy(std::make_unique<GateScores>());
    registerHeadScoreStrategy(std::make_unique<MagnitudeScores>());
    registerHeadScoreStrategy(std::make_unique<RandomScores>());
}

} // namespace sculpt
