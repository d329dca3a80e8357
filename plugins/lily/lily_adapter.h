#pragma once
// Lily (low-rank interconnected adaptation across layers): each adapted linear layer keeps its
// own low-dimensional projector LP [r, in] and router [experts, r]; the high-dimensional
// projectors are model-wide experts HP_e [out, r], one set per role (all q layers share
// theirs, all v layers theirs), so every layer can draw on what the others learn. The update
// a layer adds is
//     ΔW·x = (α/r) · Σ_e w_e · HP_e · LP·x,   w = softmax(router · LP·x),
// with the router's weights taken per token. Experts start at zero: a new Lily changes nothing.
// On a fused q/k/v projection each wanted role's rows get a Lily of their own (OutputPart), its
// experts the role's, as LoRA's parts do.
// Torch inside: for plugin .cpp files and their tests.

#include "runtime/adapter.h"
#include "runtime/model.h"

#include <memory>
#include <string>
#include <vector>

namespace sculpt {

// One role's experts, shared by the adapters of every layer with that role.
struct LilyExperts {
    torch::Tensor hp; // [experts, out, r]
};

class LilyAdapter : public Adapter {
public:
    // A new adapter of one layer: LP Kaiming-uniform, the router likewise (from torch's
    // generator: seed it first), reading and adding through `experts`.
    // On a part, the experts' out is the part's rows and `out` the layer's.
    LilyAdapter(int64_t in, double alpha, std::shared_ptr<LilyExperts> experts, torch::Device device,
                std::optional<OutputPart> part = std::nullopt, int64_t out = 0);
    // Given tensors: LP [r, in], router [experts, r].
    LilyAdapter(torch::Tensor lp, torch::Tensor router, double alpha, std::shared_ptr<LilyExperts> experts);

    std::string kind() const override { return "lily"; }
    torch::Tensor operator()(const torch::Tensor &x) const override;
    // LP and router, then the shared experts: training must take each shared tensor once.
    std::vector<std::pair<std::string, torch::Tensor>> parameters() const override;
    std::vector<std::pair<std::string, torch::Tensor>> ownParameters() const override; // LP and router

    // The softmax weights the router gives each expert for each token of x: [..., experts].
    torch::Tensor routerWeights(const torch::Tensor &x) const;
    std::optional<torch::Tensor> expertWeights(const torch::Tensor &x) const override { return routerWeights(x); }
    const torch::Tensor &lp() const { return lp_; }
    const torch::Tensor &router() const { return router_; }
    const std::shared_ptr<LilyExperts> &experts() const { return experts_; }
    int64_t rank() const { return lp_.size(0); }
    double alpha() const { return alpha_; }
    const std::optional<OutputPart> &part() const { return part_; }
    std::string partName() const override { return part_ ? part_->name : ""; }

private:
    torch::Tensor lp_, router_;
    double alpha_;
    std::shared_ptr<LilyExperts> experts_;
    std::optional<OutputPart> part_;
    int64_t out_ = 0; // the layer's outputs, on a part

    std::string infix() const { return part_ ? "." + part_->name : ""; }
};

struct LilySpec {
    int64_t rank = 8;
    int64_t experts = 4;
    double alpha = 16; // scale α/r, as LoRA's
    std::vector<std::string> roles{"q", "v"};
};

// Attaches a LilyAdapter to every block's linear site of spec.roles (or to their rows of a
// fused q/k/v projection), the experts of a role shared among them, and returns the new
// tensors, each shared one once. Throws
// std::invalid_argument for a rank or expert count below 1, or a model without such sites.
std::vector<torch::Tensor> attachLily(Model &model, const LilySpec &spec);

} // namespace sculpt
