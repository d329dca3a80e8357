#include "lily/lily_adapter.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace sculpt {

LilyAdapter::LilyAdapter(int64_t in, double alpha, std::shared_ptr<LilyExperts> experts, torch::Device device,
                         std::optional<OutputPart> part, int64_t out)
    : LilyAdapter(kaimingUniform(experts->hp.size(2), in, device),
                  kaimingUniform(experts->hp.size(0), experts->hp.size(2), device), alpha, experts)
{
    if (!part)
        return;
    if (part->rows.numel() != experts_->hp.size(1) || part->rows.max().item<int64_t>() >= out)
        throw std::invalid_argument("Lily part '" + part->name + "': its rows must be as many as the experts' outputs "
                                    "and lie in the layer's " + std::to_string(out));
    part_ = std::move(part);
    out_ = out;
}

LilyAdapter::LilyAdapter(torch::Tensor lp, torch::Tensor router, double alpha, std::shared_ptr<LilyExperts> experts)
    : lp_(std::move(lp)), router_(std::move(router)), alpha_(alpha), experts_(std::move(experts))
{
    if (!experts_ || experts_->hp.dim() != 3 || lp_.dim() != 2 || router_.dim() != 2 || lp_.size(0) < 1 ||
        experts_->hp.size(0) < 1 || experts_->hp.size(2) != lp_.size(0) || router_.size(0) != experts_->hp.size(0) ||
        router_.size(1) != lp_.size(0))
        throw std::invalid_argument("Lily needs LP [r, in], a router [experts, r] and experts [experts, out, r]");
}

torch::Tensor LilyAdapter::routerWeights(const torch::Tensor &x) const
{
    return torch::softmax(torch::linear(torch::linear(x, lp_), router_), -1);
}

torch::Tensor LilyAdapter::operator()(const torch::Tensor &x) const
{
    const torch::Tensor low = torch::linear(x, lp_);                        // [..., r]
    const torch::Tensor weights = torch::softmax(torch::linear(low, router_), -1); // [..., E]
    // Σ_e w_e · HP_e · low, without forming the mixed [out, r] matrix per token.
    const torch::Tensor each = torch::einsum("...r,eor->...eo", {low, experts_->hp}); // [..., E, out]
    const torch::Tensor added = (weights.unsqueeze(-1) * each).sum(-2) * (alpha_ / double(rank()));
    if (!part_)
        return added;
    std::vector<int64_t> shape = added.sizes().vec();
    shape.back() = out_;
    return torch::zeros(shape, added.options()).index_copy(-1, part_->rows, added);
}

std::vector<std::pair<std::string, torch::Tensor>> LilyAdapter::parameters() const
{
    auto all = ownParameters();
    all.emplace_back("lily_hp" + infix() + ".weight", experts_->hp);
    return all;
}

std::vector<std::pair<std::string, torch::Tensor>> LilyAdapter::ownParameters() const
{
    // A part's names carry its role, so two parts of one layer never share a name.
    return {{"lily_lp" + infix() + ".weight", lp_}, {"lily_router" + infix() + ".weight", router_}};
}

std::vector<torch::Tensor> attachLily(Model &model, const LilySpec &spec)
{
    if (spec.rank < 1 || spec.experts < 1)
        throw std::invalid_argument("Lily needs a rank and an expert count of at least 1");
    const auto wanted = [&](const std::string &role) {
        return std::find(spec.roles.begin(), spec.roles.end(), role) != spec.roles.end();
    };
    std::map<std::string, AttentionSite> fused; // by the name of its one input site
    for (AttentionSite &site : model.attentionSites())
        if (site.inputs.size() == 1)
            fused.emplace(site.inputs.front(), std::move(site));
    std::map<std::string, std::shared_ptr<LilyExperts>> shared; // by role
    std::vector<torch::Tensor> added;
    // A Lily for `role` on `site`, on all its outputs or on a part's `rows`.
    const auto attach = [&](const LinearSite &site, const std::string &role, std::optional<OutputPart> part) {
        const int64_t out = part ? part->rows.numel() : site.linear->outFeatures();
        std::shared_ptr<LilyExperts> &experts = shared[role];
        if (!experts) {
            experts = std::make_shared<LilyExperts>();
            experts->hp = torch::zeros({spec.experts, out, spec.rank}, torch::TensorOptions().device(model.device()));
            added.push_back(experts->hp);
        } else if (experts->hp.size(1) != out) {
            throw std::invalid_argument("the " + role + " layers differ in width: Lily's experts cannot be shared");
        }
        auto lily = std::make_shared<LilyAdapter>(site.linear->inFeatures(), spec.alpha, experts, model.device(),
                                                  std::move(part), site.linear->outFeatures());
        added.push_back(lily->lp());
        added.push_back(lily->router());
        site.linear->attach(std::move(lily));
    };
    for (const LinearSite &site : model.linearSites()) {
        if (site.layer < 0)
            continue;
        if (wanted(site.role)) {
            attach(site, site.role, std::nullopt);
            continue;
        }
        const auto f = fused.find(site.name);
        if (f == fused.end())
            continue;
        const char *roles[] = {"q", "k", "v"}; // roleRows' numbering
        for (size_t role = 0; role < 3; ++role)
            if (wanted(roles[role]))
                attach(site, roles[role], OutputPart{roles[role], roleRows(f->second, role).to(model.device())});
    }
    if (added.empty())
        throw std::invalid_argument("the " + model.family() + " model has no block layer of the roles Lily adapts");
    return added;
}

} // namespace sculpt
