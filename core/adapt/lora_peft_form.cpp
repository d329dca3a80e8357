#include "adapt/lora_peft_form.h"

#include "adapt/peft_form.h"
#include "runtime/adapter.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt {
namespace {

using json = nlohmann::json;

class LoraForm : public PeftForm {
public:
    std::string peftType() const override { return "LORA"; }
    std::vector<std::string> tensorNames() const override { return kLoraTensors; }

    void checkWritable(const LinearSite &site, const Adapter &adapter) const override
    {
        // PEFT dropped loralib's MergedLinear (enable_lora) long ago: its LoRA spans a module.
        if (const auto &part = static_cast<const LoraAdapter &>(adapter).part())
            throw std::invalid_argument(site.name + " holds LoRA on its " + part->name +
                                        " rows only (a fused q/k/v projection's): a PEFT folder "
                                        "stores LoRA on whole modules");
        if (site.role == "conv")
            throw std::invalid_argument(site.name + " is a convolution: its LoRA has no PEFT form Sculpt writes");
    }

    std::vector<std::pair<std::string, torch::Tensor>> tensors(const Adapter &adapter) const override
    {
        const auto &lora = static_cast<const LoraAdapter &>(adapter);
        return {{"lora_A.weight", lora.a()}, {"lora_B.weight", lora.b()}};
    }

    void writeConfig(const std::vector<PeftModule> &modules, const Model &model, json &config) const override
    {
        writeRankAndAlpha(
            modules, [](const Adapter &a) { return static_cast<const LoraAdapter &>(a).rank(); },
            [](const Adapter &a) { return static_cast<const LoraAdapter &>(a).alpha(); }, config);
        // The keys PEFT's LoraConfig writes beyond the common ones, with what Sculpt ran. GPT-2's
        // Conv1D layers: PEFT expects fan_in_fan_out set, though the factors' shapes are the same.
        config["fan_in_fan_out"] = model.family() == "gpt2";
        config["init_lora_weights"] = true;
        config["lora_dropout"] = 0.0;
        config["use_dora"] = false;
        config["use_rslora"] = false;
    }

    std::vector<std::shared_ptr<Adapter>> read(const PeftConfig &config, const PeftTensors &tensors,
                                               const std::vector<LinearSite> &sites,
                                               const PeftTensorReader &read) const override
    {
        std::vector<std::shared_ptr<Adapter>> adapters;
        for (const LinearSite &site : sites) {
            const int64_t r = peftRank(config, site.name), out = site.linear->outFeatures(), in = site.linear->inFeatures();
            const TensorInfo &a = peftTensor(tensors, site.name, "lora_A.weight", {r, in}, "[r, in]");
            const TensorInfo &b = peftTensor(tensors, site.name, "lora_B.weight", {out, r}, "[out, r]");
            adapters.push_back(std::make_shared<LoraAdapter>(read(a), read(b), peftAlpha(config, site.name)));
        }
        return adapters;
    }
};

} // namespace

const PeftForm &loraPeftForm()
{
    static const LoraForm form;
    return form;
}

} // namespace sculpt
