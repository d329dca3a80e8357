#include "adapt/adapters.h"

#include "adapt/adapter_kinds.h"
#include "adapt/lora_peft_form.h"
#include "adapt/peft_form.h"
#include "adapt/registry.h"
#include "io/joined.h"
#include "runtime/adapter.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace sculpt {
namespace {

void append(std::vector<torch::Tensor> &out, const Adapter &adapter)
{
    for (auto &[name, t] : adapter.parameters())
        out.push_back(t);
}

bool wanted(const AdapterSpec &spec, const std::string &role)
{
    return std::find(spec.roles.begin(), spec.roles.end(), role) != spec.roles.end();
}

// LoRA on each wanted role of a site: the whole site when its role is wanted, else, for a fused
// q/k/v projection, one LoRA per wanted role of q, k and v on that role's rows.
std::vector<std::shared_ptr<LoraAdapter>> loraFor(const LinearSite &site, const AttentionSite *fused,
                                                  const AdapterSpec &spec, torch::Device device)
{
    const auto lora = [&](std::optional<OutputPart> part = std::nullopt) {
        return std::make_shared<LoraAdapter>(site.linear->inFeatures(), site.linear->outFeatures(), spec.rank,
                                             spec.alpha, device, std::move(part));
    };
    if (wanted(spec, site.role))
        return {lora()};
    const char *roles[] = {"q", "k", "v"}; // roleRows' numbering
    std::vector<std::shared_ptr<LoraAdapter>> parts;
    if (fused)
        for (size_t role = 0; role < 3; ++role)
            if (wanted(spec, roles[role]))
                parts.push_back(lora(OutputPart{roles[role], roleRows(*fused, role).to(device)}));
    return parts;
}

class Lora : public AdapterKind {
public:
    std::string name() const override { return "lora"; }
    std::string title() const override { return "LoRA on q and v"; }
    std::vector<std::string> settings() const override { return {"rank", "alpha", "roles"}; }
    std::vector<torch::Tensor> attach(Model &model, const AdapterSpec &spec) const override
    {
        std::map<std::string, AttentionSite> fused; // by the name of its one input site
        for (AttentionSite &site : model.attentionSites())
            if (site.inputs.size() == 1)
                fused.emplace(site.inputs.front(), std::move(site));
        std::vector<torch::Tensor> added;
        for (const LinearSite &site : model.linearSites()) {
            if (site.layer < 0)
                continue;
            const auto f = fused.find(site.name);
            for (auto &lora : loraFor(site, f == fused.end() ? nullptr : &f->second, spec, model.device())) {
                append(added, *lora);
                site.linear->attach(std::move(lora));
            }
        }
        return added;
    }
    const PeftForm *peftForm() const override { return &loraPeftForm(); }
};

class Bottleneck : public AdapterKind {
public:
    std::string name() const override { return "bottleneck"; }
    std::string title() const override { return "Bottleneck adapters beside each MLP"; }
    std::vector<std::string> settings() const override { return {"rank", "scale"}; }
    std::vector<torch::Tensor> attach(Model &model, const AdapterSpec &spec) const override
    {
        std::vector<torch::Tensor> added;
        for (const MlpSite &site : model.mlpSites()) {
            auto bottleneck = std::make_shared<BottleneckAdapter>(site.dim, spec.rank, spec.scale, model.device());
            append(added, *bottleneck);
            site.adapters->push_back(std::move(bottleneck));
        }
        return added;
    }
};

Registry<AdapterKind> &registry()
{
    static Registry<AdapterKind> kinds = [] {
        Registry<AdapterKind> own;
        own.add(std::make_unique<Lora>());
        own.add(std::make_unique<Bottleneck>());
        return own;
    }();
    return kinds;
}

} // namespace

void registerAdapterKind(std::unique_ptr<AdapterKind> kind) { registry().add(std::move(kind)); }
const AdapterKind *findAdapterKind(const std::string &name) { return registry().find(name); }
std::vector<const AdapterKind *> adapterKinds() { return registry().all(); }

const PeftForm *findPeftForm(const std::string &peftType)
{
    for (const AdapterKind *kind : adapterKinds())
        if (const PeftForm *form = kind->peftForm(); form && form->peftType() == peftType)
            return form;
    return nullptr;
}

std::string peftTypes()
{
    std::vector<std::string> types;
    for (const AdapterKind *kind : adapterKinds())
        if (const PeftForm *form = kind->peftForm())
            types.push_back(form->peftType());
    return joined(types);
}

std::vector<torch::Tensor> attachAdapters(Model &model, const AdapterSpec &spec)
{
    const AdapterKind *kind = findAdapterKind(spec.kind);
    if (!kind)
        throw std::invalid_argument("unknown adapter '" + spec.kind + "' (adapters: " + registry().names() + ")");
    if (spec.rank < 1)
        throw std::invalid_argument("an adapter's rank must be at least 1");
    std::vector<torch::Tensor> added = kind->attach(model, spec);
    if (added.empty())
        throw std::invalid_argument("the " + model.family() + " model has no site for a " + spec.kind + " adapter");
    return added;
}

namespace {

// Each tensor `of` gives for an adapter of the model, once however many positions share it (an
// adapter serving several, Lily's experts).
std::vector<torch::Tensor> distinctTensors(Model &model,
                                           const std::function<std::vector<std::pair<std::string, torch::Tensor>>(const Adapter &)> &of)
{
    std::set<const void *> seen;
    std::vector<torch::Tensor> all;
    const auto add = [&](const std::shared_ptr<Adapter> &adapter) {
        for (auto &[name, t] : of(*adapter))
            if (seen.insert(t.unsafeGetTensorImpl()).second)
                all.push_back(t);
    };
    for (const LinearSite &site : model.linearSites())
        std::for_each(site.linear->adapters().begin(), site.linear->adapters().end(), add);
    for (const MlpSite &site : model.mlpSites())
        std::for_each(site.adapters->begin(), site.adapters->end(), add);
    return all;
}

} // namespace

std::vector<torch::Tensor> adapterTensors(Model &model)
{
    return distinctTensors(model, [](const Adapter &a) { return a.parameters(); });
}

std::vector<torch::Tensor> storedAdapterTensors(Model &model)
{
    return distinctTensors(model, [](const Adapter &a) {
        auto all = a.parameters();
        for (auto &own : a.ownParameters())
            all.push_back(std::move(own));
        return all;
    });
}

std::vector<torch::Tensor> classifierTensors(Model &model)
{
    std::vector<torch::Tensor> all;
    for (const LinearSite &site : model.linearSites())
        if (site.role == "head")
            for (auto &[name, t] : site.linear->parameters(site.name))
                all.push_back(t);
    return all;
}

std::vector<torch::Tensor> allTensors(Model &model)
{
    std::vector<torch::Tensor> all;
    for (auto &[name, t] : model.parameters())
        all.push_back(t);
    return all;
}

} // namespace sculpt

namespace sculpt {

std::vector<torch::Tensor> prepareFineTuning(Model &model, const std::string &method, AdapterSpec adapters)
{
    if (method == "none")
        return {};
    if (method == "full")
        return allTensors(model);
    std::vector<torch::Tensor> trainable;
    if (findAdapterKind(method)) {
        adapters.kind = method;
        trainable = attachAdapters(model, adapters);
    } else if (method != "linear") {
        throw std::invalid_argument("unknown fine-tuning method '" + method + "' (methods: linear, full, " +
                                    registry().names() + ", none)");
    }
    for (const torch::Tensor &t : classifierTensors(model))
        trainable.push_back(t);
    return trainable;
}

} // namespace sculpt
