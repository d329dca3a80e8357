#include "adapt/peft.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/export_folder.h"
#include "runtime/adapter.h"
#include "runtime/model.h"
#include "tensor/torch_bridge.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>

namespace sculpt {
namespace {

using json = nlohmann::json;

// Which modules a config selects, with its regular expressions compiled once.
class Selection {
public:
    explicit Selection(const PeftConfig &config) : config_(config)
    {
        if (config.targetRegex)
            target_ = std::regex(*config.targetRegex);
        if (config.excludeRegex)
            exclude_ = std::regex(*config.excludeRegex);
    }

    // A name equal to an entry or ending with "." + an entry: how PEFT matches a list.
    static bool listed(const std::vector<std::string> &entries, const std::string &name)
    {
        return std::any_of(entries.begin(), entries.end(), [&](const std::string &e) {
            return name == e || (name.size() > e.size() && name.ends_with(e) && name[name.size() - e.size() - 1] == '.');
        });
    }

    bool saved(const std::string &module) const { return listed(config_.modulesToSave, module); }

    bool targets(const LinearSite &site, ModelKind kind) const
    {
        bool hit;
        if (config_.allLinear) // every linear layer but the output layer (and the modules saved whole)
            hit = site.role != "conv" && !(site.role == "head" && kind == ModelKind::Language) && !saved(site.name);
        else if (config_.targetRegex)
            hit = std::regex_match(site.name, target_);
        else
            hit = listed(config_.targetModules, site.name);
        if (!hit)
            return false;
        if (config_.excludeRegex ? std::regex_match(site.name, exclude_) : listed(config_.excludeModules, site.name))
            return false;
        if (config_.layersToTransform) // blocks only: a module outside the blocks has no layer index
            return site.layer >= 0 && std::count(config_.layersToTransform->begin(), config_.layersToTransform->end(),
                                                 site.layer);
        return true;
    }

private:
    const PeftConfig &config_;
    std::regex target_, exclude_;
};

// A tensor of the file (readPeftTensors checked it is floating-point) as float32 on `device`,
// owned (not a view of the memory map).
torch::Tensor readTensor(const Checkpoint &file, const TensorInfo &info, torch::Device device)
{
    torch::Tensor t = storedTensor(file, info).to(torch::kFloat32).to(device).contiguous().clone();
    if (!torch::isfinite(t).all().item<bool>())
        throw FileError(file.path(), info.name + " holds NaN or infinite values");
    return t;
}

std::vector<int64_t> shapeOf(const torch::Tensor &t) { return t.sizes().vec(); }

json numberJson(double value)
{
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        return json(int64_t(value));
    return json(value);
}

} // namespace

PeftLoad attachPeft(Model &model, const std::string &folder)
{
    PeftLoad load;
    load.config = readPeftConfig(folder);
    const PeftConfig &c = load.config;
    const Selection selection(c);

    const PeftTensors tensors = readPeftTensors(folder);
    const Checkpoint &file = *tensors.file;
    const auto fail = [&](const std::string &why) { throw FileError(file.path(), why); };
    const std::string prefix = kPeftPrefix;

    std::map<std::string, LinearSite> sites;
    for (const LinearSite &site : model.linearSites())
        sites[site.name] = site;
    const torch::Device device = model.device();

    // Everything is read and checked before the model changes.
    struct Adapted {
        LinearSite site;
        torch::Tensor a, b;
        double alpha;
    };
    std::vector<Adapted> adapted;
    for (const auto &[module, factors] : tensors.lora) {
        const auto found = sites.find(module);
        if (found == sites.end())
            fail("unknown module '" + module + "': the " + model.family() + " model has no linear layer of that name");
        const LinearSite &site = found->second;
        if (!selection.targets(site, model.kind()))
            fail(module + " has LoRA tensors but target_modules does not select it");
        if (site.role == "conv")
            fail(module + ": LoRA beside a convolution is not run by Sculpt");
        checkPeftFactors(tensors, module, peftRank(c, module), site.linear->outFeatures(), site.linear->inFeatures());
        adapted.push_back({site, readTensor(file, *factors.a, device), readTensor(file, *factors.b, device),
                           peftAlpha(c, module)});
    }
    std::vector<LinearSite> ordered = model.linearSites();
    for (const LinearSite &site : ordered)
        if (selection.targets(site, model.kind()) && !tensors.lora.count(site.name))
            fail("target_modules selects " + site.name + " but the file holds no lora_A and lora_B for it");
    // A served module takes a LoRA of this folder whose layer has its shape.
    const auto configFail = [&](const std::string &why) {
        throw FileError((std::filesystem::path(folder) / kPeftConfigFile).string(), why);
    };
    for (const auto &[module, share] : c.shared) {
        const auto served = sites.find(module), serving = sites.find(share.adapter);
        if (served == sites.end())
            configFail("sculpt_shared: unknown module '" + module + "': the " + model.family() +
                       " model has no linear layer of that name");
        if (!tensors.lora.count(share.adapter))
            configFail("sculpt_shared: " + module + " is served by " + share.adapter + ", which holds no LoRA here");
        const Linear &a = *served->second.linear, &b = *serving->second.linear;
        if (a.inFeatures() != b.inFeatures() || a.outFeatures() != b.outFeatures())
            configFail("sculpt_shared: " + module + " and " + share.adapter + " differ in shape: one cannot serve the other");
    }

    // Tensors saved whole go where the model keeps the tensor of that name: a parameter, or a
    // low-rank site's weight (which becomes dense).
    std::map<std::string, torch::Tensor> parameters;
    for (auto &[name, t] : model.parameters())
        parameters[name] = t;
    struct Saved {
        std::string name;
        torch::Tensor into;          // a tensor of the model to copy into
        Linear *lowRank = nullptr;   // else a low-rank site whose weight it becomes
        torch::Tensor value;
    };
    std::vector<Saved> toSave;
    for (const TensorInfo *t : tensors.saved) {
        const std::string name = t->name.substr(prefix.size());
        const size_t dot = name.rfind('.');
        if (dot == std::string::npos || !selection.saved(name.substr(0, dot)))
            fail("tensor '" + t->name + "' belongs to no LoRA module and to no module of modules_to_save");
        if (model.family() == "gpt2")
            fail("tensor '" + t->name + "': modules_to_save of a GPT-2 model are not read (its Conv1D weights are stored transposed)");
        Saved s{name, {}, nullptr, {}};
        std::vector<int64_t> expected;
        if (const auto p = parameters.find(name); p != parameters.end()) {
            s.into = p->second;
            expected = shapeOf(s.into);
        } else if (const auto site = sites.find(name.substr(0, dot));
                   site != sites.end() && name.substr(dot) == ".weight" && site->second.linear->isLowRank()) {
            s.lowRank = site->second.linear;
            expected = {s.lowRank->outFeatures(), s.lowRank->inFeatures()};
        } else {
            fail("modules_to_save tensor '" + name + "' is not a tensor of the " + model.family() + " model");
        }
        if (t->shape != expected)
            fail(name + " is " + shapeText(t->shape) + " but the model's is " + shapeText(expected));
        s.value = readTensor(file, *t, device);
        toSave.push_back(std::move(s));
    }

    torch::NoGradGuard noGrad;
    std::map<std::string, std::shared_ptr<Adapter>> attached;
    for (const LinearSite &site : ordered)
        for (Adapted &a : adapted)
            if (a.site.name == site.name) {
                attached[site.name] = std::make_shared<LoraAdapter>(std::move(a.a), std::move(a.b), a.alpha);
                site.linear->attach(attached[site.name]);
                load.adaptedSites.push_back(site.name);
            }
    for (const auto &[module, share] : c.shared)
        sites.at(module).linear->attach(std::make_shared<SharedAdapter>(
            attached.at(share.adapter), torch::full({}, share.scale, torch::TensorOptions().device(device))));
    for (Saved &s : toSave) {
        if (s.lowRank)
            s.lowRank->setDenseWeight(std::move(s.value));
        else
            s.into.copy_(s.value);
        load.savedTensors.push_back(s.name);
    }
    return load;
}

namespace {

// What a PEFT folder of the model holds: its LoRA modules (a trained LoRA, or a pruned one
// kept frozen), the modules another module's LoRA serves (sculpt_shared), and for a vision
// model its classifier's (modules_to_save). Throws std::invalid_argument for what it cannot hold.
struct PeftModules {
    std::vector<std::pair<LinearSite, const LoraAdapter *>> adapted;
    std::vector<std::pair<LinearSite, const SharedAdapter *>> shared;
    std::vector<LinearSite> heads;
};

// The LoRA an adapter is, or keeps frozen; nullptr for any other.
const LoraAdapter *loraOf(const Adapter &adapter)
{
    if (const auto *frozen = dynamic_cast<const FrozenAdapter *>(&adapter))
        return loraOf(*frozen->adapter());
    return dynamic_cast<const LoraAdapter *>(&adapter);
}

PeftModules peftModules(Model &model)
{
    for (const MlpSite &site : model.mlpSites())
        if (!site.adapters->empty())
            throw std::invalid_argument("the model holds a bottleneck adapter (" + site.name +
                                        "): a PEFT LoRA folder cannot hold it");
    PeftModules m;
    for (const LinearSite &site : model.linearSites()) {
        const auto &adapters = site.linear->adapters();
        if (adapters.empty()) {
            if (site.role == "head" && model.kind() == ModelKind::Vision)
                m.heads.push_back(site);
            continue;
        }
        const LoraAdapter *own = nullptr;
        const SharedAdapter *served = nullptr;
        for (const auto &adapter : adapters) {
            const auto *lora = loraOf(*adapter);
            const auto *shared = dynamic_cast<const SharedAdapter *>(adapter.get());
            if (shared && loraOf(*shared->adapter()) && !served) {
                served = shared;
                continue;
            }
            if (!lora)
                throw std::invalid_argument(site.name + " holds a " + adapter->kind() +
                                            " adapter: a PEFT LoRA folder cannot hold it");
            // PEFT dropped loralib's MergedLinear (enable_lora) long ago: its LoRA spans a module.
            if (lora->part())
                throw std::invalid_argument(site.name + " holds LoRA on its " + lora->part()->name +
                                            " rows only (a fused q/k/v projection's): a PEFT folder "
                                            "stores LoRA on whole modules");
            if (own)
                throw std::invalid_argument(site.name + " holds " + std::to_string(adapters.size()) +
                                            " adapters: PEFT stores one LoRA per module");
            own = lora;
        }
        if (site.role == "conv")
            throw std::invalid_argument(site.name + " is a convolution: its LoRA has no PEFT form Sculpt writes");
        if (own)
            m.adapted.emplace_back(site, own);
        if (served)
            m.shared.emplace_back(site, served);
    }
    if (m.adapted.empty())
        throw std::invalid_argument("the model holds no LoRA adapter to write");
    return m;
}

} // namespace

void checkPeftWritable(Model &model) { peftModules(model); }

void writePeft(Model &model, const std::string &folder, const std::string &baseModelPath)
{
    const auto [adapted, shared, heads] = peftModules(model);
    // One r and α for all, the first adapter's; a module that differs goes into the patterns.
    const int64_t r = adapted.front().second->rank();
    const double alpha = adapted.front().second->alpha();
    json rankPattern = json::object(), alphaPattern = json::object();
    for (const auto &[site, lora] : adapted) {
        if (lora->rank() != r)
            rankPattern[site.name] = lora->rank();
        if (lora->alpha() != alpha)
            alphaPattern[site.name] = numberJson(lora->alpha());
    }
    // target_modules as PEFT users write it (["query", "value"]) when the last parts of the
    // adapted sites' names select exactly those sites, else their whole names.
    std::set<std::string> adaptedNames, lastParts;
    for (const auto &[site, lora] : adapted) {
        adaptedNames.insert(site.name);
        lastParts.insert(site.name.substr(site.name.rfind('.') + 1));
    }
    const std::vector<std::string> shortNames(lastParts.begin(), lastParts.end());
    bool exact = true;
    for (const LinearSite &site : model.linearSites())
        if (Selection::listed(shortNames, site.name) != bool(adaptedNames.count(site.name)))
            exact = false;
    const std::vector<std::string> targets = exact ? shortNames : std::vector<std::string>(adaptedNames.begin(), adaptedNames.end());

    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    json modulesToSave = json::array();
    {
        torch::NoGradGuard noGrad;
        for (const auto &[site, lora] : adapted) {
            tensors.emplace_back(kPeftPrefix + site.name + ".lora_A.weight", lora->a());
            tensors.emplace_back(kPeftPrefix + site.name + ".lora_B.weight", lora->b());
        }
        for (const LinearSite &site : heads) {
            modulesToSave.push_back(site.name);
            tensors.emplace_back(kPeftPrefix + site.name + ".weight", site.linear->weight());
            if (site.linear->bias().defined())
                tensors.emplace_back(kPeftPrefix + site.name + ".bias", site.linear->bias());
        }
    }

    // A shared LoRA is written once, where it sits; the modules it serves name it.
    json sharing = json::object();
    for (const auto &[site, served] : shared) {
        const auto serving = std::find_if(adapted.begin(), adapted.end(), [&](const auto &a) {
            return static_cast<const Adapter *>(a.second) == loraOf(*served->adapter());
        });
        if (serving == adapted.end())
            throw std::invalid_argument(site.name + " is served by a LoRA that sits at no module of the model");
        sharing[site.name] = {{"adapter", serving->first.name}, {"scale", served->scale().item<double>()}};
    }

    // The keys PEFT's LoraConfig writes (sorted, as it writes them), with what Sculpt ran.
    json config = {
        {"alpha_pattern", alphaPattern},
        {"auto_mapping", nullptr},
        {"base_model_name_or_path", baseModelPath},
        {"bias", "none"},
        // GPT-2's Conv1D layers: PEFT expects it set, though the factors' shapes are the same.
        {"fan_in_fan_out", model.family() == "gpt2"},
        {"inference_mode", true},
        {"init_lora_weights", true},
        {"layers_pattern", nullptr},
        {"layers_to_transform", nullptr},
        {"lora_alpha", numberJson(alpha)},
        {"lora_dropout", 0.0},
        {"modules_to_save", modulesToSave.empty() ? json(nullptr) : modulesToSave},
        {"peft_type", "LORA"},
        {"r", r},
        {"rank_pattern", rankPattern},
        {"revision", nullptr},
        {"target_modules", targets},
        {"task_type", model.kind() == ModelKind::Language ? json("CAUSAL_LM") : json(nullptr)},
        {"use_dora", false},
        {"use_rslora", false},
    };
    if (!sharing.empty())
        config["sculpt_shared"] = sharing;

    ExportFolder out(folder);
    writeFloatSafetensors(out.file(kPeftWeightsFile), std::move(tensors), {{"format", "pt"}});
    const std::string text = config.dump(2) + "\n";
    AtomicFile configFile(out.file(kPeftConfigFile));
    configFile.write(std::as_bytes(std::span(text)));
    configFile.commit();
    out.commit();
}

size_t mergeAdapters(Model &model)
{
    for (const MlpSite &site : model.mlpSites())
        if (!site.adapters->empty())
            throw std::invalid_argument("the model holds a bottleneck adapter (" + site.name +
                                        "): it is not a linear map and cannot be folded into a weight");
    const std::vector<LinearSite> sites = model.linearSites();
    for (const LinearSite &site : sites)
        for (const auto &adapter : site.linear->adapters())
            if (!adapter->weightUpdate())
                throw std::invalid_argument(site.name + " holds a " + adapter->kind() +
                                            " adapter, which cannot be folded into a weight");
    torch::NoGradGuard noGrad;
    size_t merged = 0;
    for (const LinearSite &site : sites) {
        if (site.linear->adapters().empty())
            continue;
        torch::Tensor weight = site.linear->weight().detach().clone();
        for (const auto &adapter : site.linear->adapters()) {
            weight += adapter->weightUpdate()->detach();
            ++merged;
        }
        site.linear->setDenseWeight(weight.contiguous());
        site.linear->detachAdapters();
    }
    return merged;
}

} // namespace sculpt
