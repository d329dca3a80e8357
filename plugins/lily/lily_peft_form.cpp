#include "lily/lily_peft_form.h"

#include "adapt/peft_form.h"
#include "lily/lily_adapter.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt {
namespace {

const LilyAdapter &lily(const Adapter &adapter) { return static_cast<const LilyAdapter &>(adapter); }

class LilyForm : public PeftForm {
public:
    std::string peftType() const override { return "LILY"; }
    std::vector<std::string> tensorNames() const override
    {
        return {"lily_lp.weight", "lily_router.weight", "lily_hp.weight"};
    }

    void checkWritable(const LinearSite &site, const Adapter &adapter) const override
    {
        // Kept to LoRA's shape of folder, whose modules are whole layers.
        if (const auto &part = lily(adapter).part())
            throw std::invalid_argument(site.name + " holds Lily on its " + part->name +
                                        " rows only (a fused q/k/v projection's): a PEFT folder stores adapters on whole modules");
        if (site.role == "conv")
            throw std::invalid_argument(site.name + " is a convolution: Lily beside it has no folder form");
    }

    std::vector<std::pair<std::string, torch::Tensor>> tensors(const Adapter &adapter) const override
    {
        const LilyAdapter &l = lily(adapter);
        return {{"lily_lp.weight", l.lp()}, {"lily_router.weight", l.router()}, {"lily_hp.weight", l.experts()->hp}};
    }

    void writeConfig(const std::vector<PeftModule> &modules, const Model &, nlohmann::json &config) const override
    {
        writeRankAndAlpha(
            modules, [](const Adapter &a) { return lily(a).rank(); }, [](const Adapter &a) { return lily(a).alpha(); },
            config);
    }

    std::vector<std::shared_ptr<Adapter>> read(const PeftConfig &config, const PeftTensors &tensors,
                                               const std::vector<LinearSite> &sites,
                                               const PeftTensorReader &read) const override
    {
        std::map<const TensorInfo *, std::shared_ptr<LilyExperts>> shared; // one per stored experts tensor
        std::vector<std::shared_ptr<Adapter>> adapters;
        for (const LinearSite &site : sites) {
            const int64_t r = peftRank(config, site.name), out = site.linear->outFeatures(), in = site.linear->inFeatures();
            // The expert count is the experts tensor's: read off it, then checked as the others.
            const auto &held = tensors.modules.at(site.name);
            const auto hpHeld = held.find("lily_hp.weight");
            const int64_t experts =
                hpHeld != held.end() && !hpHeld->second->shape.empty() ? std::max<int64_t>(hpHeld->second->shape[0], 1) : 1;
            const TensorInfo &lp = peftTensor(tensors, site.name, "lily_lp.weight", {r, in}, "[r, in]");
            const TensorInfo &router = peftTensor(tensors, site.name, "lily_router.weight", {experts, r}, "[experts, r]");
            const TensorInfo &hp = peftTensor(tensors, site.name, "lily_hp.weight", {experts, out, r}, "[experts, out, r]");
            std::shared_ptr<LilyExperts> &e = shared[&hp];
            if (!e)
                e = std::make_shared<LilyExperts>(LilyExperts{read(hp)});
            adapters.push_back(std::make_shared<LilyAdapter>(read(lp), read(router), peftAlpha(config, site.name), e));
        }
        return adapters;
    }
};

} // namespace

const PeftForm &lilyPeftForm()
{
    static const LilyForm form;
    return form;
}

} // namespace sculpt
