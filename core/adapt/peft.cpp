#include "adapt/peft.h"

#include "adapt/adapter_kinds.h"
#include "adapt/peft_form.h"

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

// The form of a folder's peft_type; FileError naming its config when no kind has that form.
const PeftForm &formOf(const PeftConfig &config, const std::string &folder)
{
    const PeftForm *form = findPeftForm(config.peftType);
    if (!form)
        throw FileError((std::filesystem::path(folder) / kPeftConfigFile).string(),
                        "peft_type is '" + config.peftType + "': only " + peftTypes() + " adapters are read");
    return *form;
}

} // namespace

PeftLoad attachPeft(Model &model, const std::string &folder)
{
    PeftLoad load;
    load.config = readPeftConfig(folder);
    const PeftConfig &c = load.config;
    const PeftForm &form = formOf(c, folder);
    const Selection selection(c);

    const PeftTensors tensors = readPeftTensors(folder, c, form.tensorNames());
    const Checkpoint &file = *tensors.file;
    const auto fail = [&](const std::string &why) { throw FileError(file.path(), why); };
    const std::string prefix = kPeftPrefix;

    std::map<std::string, LinearSite> sites;
    for (const LinearSite &site : model.linearSites())
        sites[site.name] = site;
    const torch::Device device = model.device();

    // Everything is read and checked before the model changes.
    for (const auto &[module, held] : tensors.modules) {
        const auto found = sites.find(module);
        if (found == sites.end())
            fail("unknown module '" + module + "': the " + model.family() + " model has no linear layer of that name");
        if (!selection.targets(found->second, model.kind()))
            fail(module + " has adapter tensors but target_modules does not select it");
        if (found->second.role == "conv")
            fail(module + ": an adapter beside a convolution is not run by Sculpt");
    }
    std::vector<LinearSite> adaptedSites; // in the model's order
    for (const LinearSite &site : model.linearSites()) {
        if (tensors.modules.count(site.name))
            adaptedSites.push_back(site);
        else if (selection.targets(site, model.kind()))
            fail("target_modules selects " + site.name + " but the file holds no adapter tensors for it");
    }
    std::map<const TensorInfo *, torch::Tensor> readOnce;
    const std::vector<std::shared_ptr<Adapter>> adapters =
        form.read(c, tensors, adaptedSites, [&](const TensorInfo &info) {
            torch::Tensor &t = readOnce[&info];
            if (!t.defined())
                t = readTensor(file, info, device);
            return t;
        });
    // A served module takes an adapter of this folder whose layer has its shape.
    const auto configFail = [&](const std::string &why) {
        throw FileError((std::filesystem::path(folder) / kPeftConfigFile).string(), why);
    };
    for (const auto &[module, share] : c.shared) {
        const auto served = sites.find(module), serving = sites.find(share.adapter);
        if (served == sites.end())
            configFail("sculpt_shared: unknown module '" + module + "': the " + model.family() +
                       " model has no linear layer of that name");
        if (!tensors.modules.count(share.adapter))
            configFail("sculpt_shared: " + module + " is served by " + share.adapter + ", which holds no adapter here");
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
            fail("tensor '" + t->name + "' belongs to no adapted module and to no module of modules_to_save");
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
    for (size_t i = 0; i < adaptedSites.size(); ++i) {
        attached[adaptedSites[i].name] = adapters[i];
        adaptedSites[i].linear->attach(adapters[i]);
        load.adaptedSites.push_back(adaptedSites[i].name);
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

// What a PEFT folder of the model holds: the form of its adapters' kind, its adapted modules
// (a trained adapter, or a pruned one kept frozen), the modules another module's adapter
// serves (sculpt_shared), and for a vision model its classifier's (modules_to_save). Throws
// std::invalid_argument for what it cannot hold.
struct PeftModules {
    const PeftForm *form = nullptr;
    std::vector<PeftModule> adapted;
    std::vector<std::pair<LinearSite, const SharedAdapter *>> shared;
    std::vector<LinearSite> heads;
};

// The adapter itself, or the one a frozen adapter keeps.
const Adapter &ownOf(const Adapter &adapter)
{
    if (const auto *frozen = dynamic_cast<const FrozenAdapter *>(&adapter))
        return ownOf(*frozen->adapter());
    return adapter;
}

// The folder form of an adapter's kind; std::invalid_argument naming `where` when it has none.
const PeftForm &formOf(const Adapter &adapter, const std::string &where)
{
    const AdapterKind *kind = findAdapterKind(adapter.kind());
    if (!kind || !kind->peftForm())
        throw std::invalid_argument(where + " holds a " + adapter.kind() + " adapter: a PEFT folder cannot hold it");
    return *kind->peftForm();
}

PeftModules peftModules(Model &model)
{
    PeftModules m;
    for (const MlpSite &site : model.mlpSites())
        for (const auto &adapter : *site.adapters)
            formOf(ownOf(*adapter), "the model's " + site.name);
    const auto sameForm = [&](const PeftForm &form, const std::string &where) {
        if (m.form && m.form != &form)
            throw std::invalid_argument(where + " holds " + form.peftType() + " beside " + m.form->peftType() +
                                        " elsewhere: a PEFT folder holds one kind of adapter");
        m.form = &form;
    };
    for (const LinearSite &site : model.linearSites()) {
        const auto &adapters = site.linear->adapters();
        if (adapters.empty()) {
            if (site.role == "head" && model.kind() == ModelKind::Vision)
                m.heads.push_back(site);
            continue;
        }
        const Adapter *own = nullptr;
        const SharedAdapter *served = nullptr;
        for (const auto &adapter : adapters) {
            if (const auto *shared = dynamic_cast<const SharedAdapter *>(adapter.get()); shared && !served) {
                sameForm(formOf(ownOf(*shared->adapter()), site.name), site.name);
                served = shared;
                continue;
            }
            const Adapter &inner = ownOf(*adapter);
            const PeftForm &form = formOf(inner, site.name);
            sameForm(form, site.name);
            form.checkWritable(site, inner);
            if (own)
                throw std::invalid_argument(site.name + " holds " + std::to_string(adapters.size()) +
                                            " adapters: a PEFT folder stores one per module");
            own = &inner;
        }
        if (own)
            m.adapted.push_back({site, own});
        if (served)
            m.shared.emplace_back(site, served);
    }
    if (m.adapted.empty())
        throw std::invalid_argument("the model holds no adapter a PEFT folder can hold");
    return m;
}

} // namespace

void checkPeftWritable(Model &model) { peftModules(model); }

void writeRankAndAlpha(const std::vector<PeftModule> &modules, const std::function<int64_t(const Adapter &)> &rank,
                       const std::function<double(const Adapter &)> &alpha, json &config)
{
    const int64_t r = rank(*modules.front().adapter);
    const double a = alpha(*modules.front().adapter);
    json rankPattern = json::object(), alphaPattern = json::object();
    for (const PeftModule &m : modules) {
        if (rank(*m.adapter) != r)
            rankPattern[m.site.name] = rank(*m.adapter);
        if (alpha(*m.adapter) != a)
            alphaPattern[m.site.name] = numberJson(alpha(*m.adapter));
    }
    config["r"] = r;
    config["lora_alpha"] = numberJson(a);
    config["rank_pattern"] = rankPattern;
    config["alpha_pattern"] = alphaPattern;
}

void writePeft(Model &model, const std::string &folder, const std::string &baseModelPath)
{
    const auto [form, adapted, shared, heads] = peftModules(model);
    // target_modules as PEFT users write it (["query", "value"]) when the last parts of the
    // adapted sites' names select exactly those sites, else their whole names.
    std::set<std::string> adaptedNames, lastParts;
    for (const PeftModule &m : adapted) {
        adaptedNames.insert(m.site.name);
        lastParts.insert(m.site.name.substr(m.site.name.rfind('.') + 1));
    }
    const std::vector<std::string> shortNames(lastParts.begin(), lastParts.end());
    bool exact = true;
    for (const LinearSite &site : model.linearSites())
        if (Selection::listed(shortNames, site.name) != bool(adaptedNames.count(site.name)))
            exact = false;
    const std::vector<std::string> targets = exact ? shortNames : std::vector<std::string>(adaptedNames.begin(), adaptedNames.end());

    // A tensor several modules hold (Lily's experts) is written once, where it first sits.
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    std::map<const void *, std::string> written; // by storage: the key it went under
    json tied = json::object();
    json modulesToSave = json::array();
    {
        torch::NoGradGuard noGrad;
        for (const PeftModule &m : adapted)
            for (auto &[name, t] : form->tensors(*m.adapter)) {
                const std::string key = m.site.name + "." + name;
                if (const auto first = written.find(t.unsafeGetTensorImpl()); first != written.end()) {
                    tied[key] = first->second;
                    continue;
                }
                written[t.unsafeGetTensorImpl()] = key;
                tensors.emplace_back(kPeftPrefix + key, t);
            }
        for (const LinearSite &site : heads) {
            modulesToSave.push_back(site.name);
            tensors.emplace_back(kPeftPrefix + site.name + ".weight", site.linear->weight());
            if (site.linear->bias().defined())
                tensors.emplace_back(kPeftPrefix + site.name + ".bias", site.linear->bias());
        }
    }

    // A shared adapter is written once, where it sits; the modules it serves name it.
    json sharing = json::object();
    for (const auto &[site, served] : shared) {
        const Adapter *serving = &ownOf(*served->adapter());
        const auto at = std::find_if(adapted.begin(), adapted.end(), [&](const PeftModule &m) { return m.adapter == serving; });
        if (at == adapted.end())
            throw std::invalid_argument(site.name + " is served by an adapter that sits at no module of the model");
        sharing[site.name] = {{"adapter", at->site.name}, {"scale", served->scale().item<double>()}};
    }

    // The keys every PEFT config writes (sorted, as PEFT writes them), then the form's own.
    json config = {
        {"auto_mapping", nullptr},
        {"base_model_name_or_path", baseModelPath},
        {"bias", "none"},
        {"inference_mode", true},
        {"layers_pattern", nullptr},
        {"layers_to_transform", nullptr},
        {"modules_to_save", modulesToSave.empty() ? json(nullptr) : modulesToSave},
        {"peft_type", form->peftType()},
        {"revision", nullptr},
        {"target_modules", targets},
        {"task_type", model.kind() == ModelKind::Language ? json("CAUSAL_LM") : json(nullptr)},
    };
    form->writeConfig(adapted, model, config);
    if (!sharing.empty())
        config["sculpt_shared"] = sharing;
    if (!tied.empty())
        config["sculpt_tied"] = tied;

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
