#include "lily/lily_adapter.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace sculpt {

LilyAdapter::LilyAdapter(int64_t in, double alpha, std::shared_ptr<LilyExperts> experts, torch::Device device)
    : LilyAdapter(kaimingUniform(experts->hp.size(2), in, device),
                  kaimingUniform(experts->hp.size(0), experts->hp.size(2), device), alpha, experts)
{
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
    return (weights.unsqueeze(-1) * each).sum(-2) * (alpha_ / double(rank()));
}

std::vector<std::pair<std::string, torch::Tensor>> LilyAdapter::parameters() const
{
    return {{"lily_lp.weight", lp_}, {"lily_router.weight", router_}, {"lily_hp.weight", experts_->hp}};
}

std::vector<std::pair<std::string, torch::Tensor>> LilyAdapter::ownParameters() const
{
    return {{"lily_lp.weight", lp_}, {"lily_router.weight", router_}};
}

std::vector<torch::Tensor> attachLily(Model &model, const LilySpec &spec)
{
    if (spec.rank < 1 || spec.experts < 1)
        throw std::invalid_argument("Lily needs a rank and an expert count of at least 1");
    std::map<std::string, std::shared_ptr<LilyExperts>> shared; // by role
    std::vector<torch::Tensor> added;
    for (const LinearSite &site : model.linearSites()) {
        if (site.layer < 0 || std::find(spec.roles.begin(), spec.roles.end(), site.role) == spec.roles.end())
            continue;
        std::shared_ptr<LilyExperts> &experts = shared[site.role];
        if (!experts) {
            experts = std::make_shared<LilyExperts>();
            experts->hp = torch::zeros({spec.experts, site.linear->outFeatures(), spec.rank},
                                       torch::TensorOptions().device(model.device()));
            added.push_back(experts->hp);
        } else if (experts->hp.size(1) != site.linear->outFeatures()) {
            throw std::invalid_argument("the " + site.role + " layers differ in width: Lily's experts cannot be shared");
        }
        auto lily = std::make_shared<LilyAdapter>(site.linear->inFeatures(), spec.alpha, experts, model.device());
        added.push_back(lily->lp());
        added.push_back(lily->router());
        site.linear->attach(std::move(lily));
    }
    if (added.empty())
        throw std::invalid_argument("the " + model.family() + " model has no block layer of the roles Lily adapts");
    return added;
}

} // namespace sculpt
