#include "adapt/peft.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/export_folder.h"
#include "io/json_text.h"
#include "io/mapped_file.h"
#include "io/safetensors.h"
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

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char *kConfigFile = "adapter_config.json";
constexpr const char *kWeightsFile = "adapter_model.safetensors";
constexpr const char *kPrefix = "base_model.model."; // PeftModel → LoraModel → the base model
constexpr uint64_t kMaxConfigBytes = 1'000'000;
constexpr size_t kMaxPatternBytes = 1000; // more than any module name needs

std::string shortText(const json &value)
{
    std::string text = value.dump();
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

// adapter_config.json's fields, each error naming the file and the field.
class Fields {
public:
    Fields(std::string path, const json &config) : path_(std::move(path)), config_(config) {}

    [[noreturn]] void fail(const std::string &why) const { throw FileError(path_, why); }
    bool present(const char *key) const { return config_.contains(key) && !config_[key].is_null(); }
    const json &operator[](const char *key) const { return config_[key]; }

    std::string text(const char *key, const std::string &otherwise) const
    {
        if (!present(key))
            return otherwise;
        if (!config_[key].is_string())
            fail(std::string(key) + " is " + shortText(config_[key]) + ", not a string");
        return config_[key].get<std::string>();
    }
    bool flag(const char *key) const
    {
        if (!present(key))
            return false;
        if (!config_[key].is_boolean())
            fail(std::string(key) + " is " + shortText(config_[key]) + ", not true or false");
        return config_[key].get<bool>();
    }
    int64_t rank(const json &value, const std::string &what) const
    {
        if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > (1 << 20))
            fail(what + " is " + shortText(value) + ", not a rank (a whole number ≥ 1)");
        return value.get<int64_t>();
    }
    double alpha(const json &value, const std::string &what) const
    {
        if (!value.is_number() || !std::isfinite(value.get<double>()))
            fail(what + " is " + shortText(value) + ", not a number");
        return value.get<double>();
    }
    // A regular expression PEFT would match module names with, checked now so that matching
    // cannot fail later.
    std::string pattern(const std::string &text, const std::string &what) const
    {
        if (text.size() > kMaxPatternBytes)
            fail(what + " is " + std::to_string(text.size()) + " bytes long, more than a module name needs");
        try {
            std::regex compiled(text);
        } catch (const std::regex_error &e) {
            fail(what + " '" + text + "' is not a regular expression: " + e.what());
        }
        return text;
    }
    std::vector<std::string> names(const json &value, const std::string &what) const
    {
        std::vector<std::string> out;
        if (!value.is_array())
            fail(what + " is " + shortText(value) + ", not a list of module names");
        for (const json &name : value) {
            if (!name.is_string() || name.get<std::string>().empty() || name.get<std::string>().size() > kMaxPatternBytes)
                fail(what + " holds " + shortText(name) + ", not a module name");
            out.push_back(name.get<std::string>());
        }
        return out;
    }

private:
    std::string path_;
    const json &config_;
};

// Which modules a config selects, with its regular expressions compiled once.
class Selection {
public:
    explicit Selection(const PeftConfig &config) : config_(config)
    {
        if (config.targetRegex)
            target_ = std::regex(*config.targetRegex);
        if (config.excludeRegex)
            exclude_ = std::regex(*config.excludeRegex);
        for (const auto &[key, r] : config.rankPattern)
            ranks_.emplace_back(suffixPattern(key), r);
        for (const auto &[key, a] : config.alphaPattern)
            alphas_.emplace_back(suffixPattern(key), a);
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

    int64_t rankOf(const std::string &module) const { return patterned(ranks_, module, config_.r); }
    double alphaOf(const std::string &module) const { return patterned(alphas_, module, config_.loraAlpha); }

private:
    // rank_pattern's and alpha_pattern's keys match the end of a module's name.
    static std::regex suffixPattern(const std::string &key) { return std::regex("(.*\\.)?(" + key + ")"); }
    template <typename T>
    static T patterned(const std::vector<std::pair<std::regex, T>> &patterns, const std::string &module, T otherwise)
    {
        for (const auto &[pattern, value] : patterns)
            if (std::regex_match(module, pattern))
                return value;
        return otherwise;
    }

    const PeftConfig &config_;
    std::regex target_, exclude_;
    std::vector<std::pair<std::regex, int64_t>> ranks_;
    std::vector<std::pair<std::regex, double>> alphas_;
};

// A tensor of the file as float32 on `device`, owned (not a view of the memory map).
torch::Tensor readTensor(const Checkpoint &file, const TensorInfo &info, torch::Device device)
{
    if (info.dtype != DType::F32 && info.dtype != DType::F16 && info.dtype != DType::BF16 && info.dtype != DType::F64)
        throw FileError(file.path(), info.name + " is " + std::string(dtypeName(info.dtype)) + ", not a floating-point type");
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

PeftConfig readPeftConfig(const std::string &folder)
{
    std::error_code error;
    const fs::path dir(folder);
    if (!fs::is_directory(dir, error))
        throw FileError(folder, fs::exists(dir, error) ? "is not a folder (a PEFT folder holds adapter_config.json)"
                                                       : "no such folder");
    const std::string path = (dir / kConfigFile).string();
    if (!fs::exists(path, error))
        throw FileError(folder, "no adapter_config.json: not a PEFT folder");
    const auto file = MappedFile::open(path);
    if (file->size() > kMaxConfigBytes)
        throw FileError(path, "adapter_config.json is larger than 1 MB");
    const json config =
        parseJson(std::string_view(reinterpret_cast<const char *>(file->data()), file->size()), path, "adapter_config.json");
    if (!config.is_object())
        throw FileError(path, "is not a JSON object");
    const Fields f(path, config);

    PeftConfig c;
    if (!f.present("peft_type"))
        f.fail("no peft_type: not a PEFT adapter config");
    c.peftType = f.text("peft_type", "");
    if (c.peftType != "LORA")
        f.fail("peft_type is '" + c.peftType + "': only LORA adapters are read");
    // What changes the numbers LoRA computes: refused rather than run wrongly.
    if (f.flag("use_rslora"))
        f.fail("use_rslora is true: rank-stabilised LoRA (scale α/√r) is not run by Sculpt");
    if (f.flag("use_dora"))
        f.fail("use_dora is true: DoRA (weight-decomposed LoRA) is not run by Sculpt");
    if (const std::string bias = f.text("bias", "none"); bias != "none")
        f.fail("bias is '" + bias + "': LoRA with trained biases is not run by Sculpt (only \"none\")");
    if (f.flag("lora_bias"))
        f.fail("lora_bias is true: a bias in lora_B is not run by Sculpt");
    for (const char *key : {"layer_replication", "trainable_token_indices", "target_parameters"})
        if (f.present(key) && !(f[key].is_array() && f[key].empty()) && !(f[key].is_object() && f[key].empty()))
            f.fail(std::string(key) + " is set: not run by Sculpt");

    c.r = f.present("r") ? f.rank(f["r"], "r") : 8; // LoraConfig's defaults
    c.loraAlpha = f.present("lora_alpha") ? f.alpha(f["lora_alpha"], "lora_alpha") : 8;

    if (!f.present("target_modules"))
        f.fail("no target_modules: which modules the adapters sit beside is not said");
    if (f["target_modules"].is_string()) {
        const std::string text = f["target_modules"].get<std::string>();
        if (text == "all-linear")
            c.allLinear = true;
        else
            c.targetRegex = f.pattern(text, "target_modules");
    } else {
        c.targetModules = f.names(f["target_modules"], "target_modules");
    }
    if (f.present("exclude_modules")) {
        if (f["exclude_modules"].is_string())
            c.excludeRegex = f.pattern(f["exclude_modules"].get<std::string>(), "exclude_modules");
        else
            c.excludeModules = f.names(f["exclude_modules"], "exclude_modules");
    }
    if (f.present("layers_to_transform")) {
        const json &layers = f["layers_to_transform"];
        std::vector<int64_t> list;
        for (const json &l : layers.is_array() ? layers : json::array({layers})) {
            if (!l.is_number_integer() || l.get<int64_t>() < 0)
                f.fail("layers_to_transform holds " + shortText(l) + ", not a layer index");
            list.push_back(l.get<int64_t>());
        }
        c.layersToTransform = std::move(list);
    }
    for (const char *key : {"rank_pattern", "alpha_pattern"}) {
        if (!f.present(key))
            continue;
        if (!f[key].is_object())
            f.fail(std::string(key) + " is " + shortText(f[key]) + ", not an object");
        for (const auto &[name, value] : f[key].items()) {
            f.pattern(name, std::string(key) + " key");
            if (std::string(key) == "rank_pattern")
                c.rankPattern[name] = f.rank(value, "rank_pattern's " + name);
            else
                c.alphaPattern[name] = f.alpha(value, "alpha_pattern's " + name);
        }
    }
    if (f.present("modules_to_save"))
        c.modulesToSave = f.names(f["modules_to_save"], "modules_to_save");
    c.baseModelNameOrPath = f.text("base_model_name_or_path", "");
    c.taskType = f.text("task_type", "");
    return c;
}

PeftLoad attachPeft(Model &model, const std::string &folder)
{
    PeftLoad load;
    load.config = readPeftConfig(folder);
    const PeftConfig &c = load.config;
    const Selection selection(c);

    const fs::path dir(folder);
    const std::string path = (dir / kWeightsFile).string();
    std::error_code error;
    if (!fs::exists(path, error)) {
        if (fs::exists(dir / "adapter_model.bin", error))
            throw FileError((dir / "adapter_model.bin").string(),
                            "a pickled adapter: only adapter_model.safetensors is read (PEFT's default since 0.6)");
        throw FileError(folder, "no adapter_model.safetensors beside adapter_config.json");
    }
    const auto file = readSafetensors(path);
    const auto fail = [&](const std::string &why) { throw FileError(path, why); };

    // The file's tensors by what they are: LoRA factors per module, or tensors saved whole.
    struct Factors {
        const TensorInfo *a = nullptr, *b = nullptr;
    };
    std::map<std::string, Factors> lora;
    std::vector<const TensorInfo *> saved;
    const std::string prefix = kPrefix;
    for (const TensorInfo &t : file->tensors()) {
        if (!t.name.starts_with(prefix))
            fail("tensor '" + t.name + "' is not under " + prefix + " as PEFT names them");
        const std::string key = t.name.substr(prefix.size());
        const std::string a = ".lora_A.weight", b = ".lora_B.weight";
        if (key.size() > a.size() && key.ends_with(a)) {
            lora[key.substr(0, key.size() - a.size())].a = &t;
            continue;
        }
        if (key.size() > b.size() && key.ends_with(b)) {
            lora[key.substr(0, key.size() - b.size())].b = &t;
            continue;
        }
        if (key.find("lora_") != std::string::npos)
            fail("tensor '" + t.name + "' is a LoRA tensor Sculpt does not run (only lora_A.weight and lora_B.weight)");
        saved.push_back(&t);
    }

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
    for (const auto &[module, factors] : lora) {
        const auto found = sites.find(module);
        if (found == sites.end())
            fail("unknown module '" + module + "': the " + model.family() + " model has no linear layer of that name");
        const LinearSite &site = found->second;
        if (!factors.a)
            fail(module + " has lora_B.weight but no lora_A.weight");
        if (!factors.b)
            fail(module + " has lora_A.weight but no lora_B.weight");
        if (!selection.targets(site, model.kind()))
            fail(module + " has LoRA tensors but target_modules does not select it");
        if (site.role == "conv")
            fail(module + ": LoRA beside a convolution is not run by Sculpt");
        const int64_t r = selection.rankOf(module);
        const std::vector<int64_t> shapeA{r, site.linear->inFeatures()}, shapeB{site.linear->outFeatures(), r};
        if (factors.a->shape != shapeA)
            fail(module + ".lora_A.weight is " + shapeText(factors.a->shape) + ", not [r, in] = " + shapeText(shapeA));
        if (factors.b->shape != shapeB)
            fail(module + ".lora_B.weight is " + shapeText(factors.b->shape) + ", not [out, r] = " + shapeText(shapeB));
        adapted.push_back({site, readTensor(*file, *factors.a, device), readTensor(*file, *factors.b, device),
                           selection.alphaOf(module)});
    }
    std::vector<LinearSite> ordered = model.linearSites();
    for (const LinearSite &site : ordered)
        if (selection.targets(site, model.kind()) && !lora.count(site.name))
            fail("target_modules selects " + site.name + " but the file holds no lora_A and lora_B for it");

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
    for (const TensorInfo *t : saved) {
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
        s.value = readTensor(*file, *t, device);
        toSave.push_back(std::move(s));
    }

    torch::NoGradGuard noGrad;
    for (const LinearSite &site : ordered)
        for (Adapted &a : adapted)
            if (a.site.name == site.name) {
                site.linear->attach(std::make_shared<LoraAdapter>(std::move(a.a), std::move(a.b), a.alpha));
                load.adaptedSites.push_back(site.name);
            }
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

// What a PEFT folder of the model holds: its LoRA modules and, for a vision model, its
// classifier's (modules_to_save). Throws std::invalid_argument for what it cannot hold.
struct PeftModules {
    std::vector<std::pair<LinearSite, const LoraAdapter *>> adapted;
    std::vector<LinearSite> heads;
};

PeftModules peftModules(Model &model)
{
    for (const MlpSite &site : model.mlpSites())
        if (!site.adapters->empty())
            throw std::invalid_argument("the model holds a bottleneck adapter (" + site.name +
                                        "): a PEFT LoRA folder cannot hold it");
    std::vector<std::pair<LinearSite, const LoraAdapter *>> adapted;
    std::vector<LinearSite> heads;
    for (const LinearSite &site : model.linearSites()) {
        const auto &adapters = site.linear->adapters();
        if (adapters.empty()) {
            if (site.role == "head" && model.kind() == ModelKind::Vision)
                heads.push_back(site);
            continue;
        }
        // PEFT dropped loralib's MergedLinear (enable_lora) long ago: its LoRA spans a module.
        for (const auto &adapter : adapters)
            if (const auto *part = dynamic_cast<const LoraAdapter *>(adapter.get()); part && part->part())
                throw std::invalid_argument(site.name + " holds LoRA on its " + part->part()->name +
                                            " rows only (a fused q/k/v projection's): a PEFT folder "
                                            "stores LoRA on whole modules");
        if (adapters.size() > 1)
            throw std::invalid_argument(site.name + " holds " + std::to_string(adapters.size()) +
                                        " adapters: PEFT stores one LoRA per module");
        const auto *lora = dynamic_cast<const LoraAdapter *>(adapters.front().get());
        if (!lora)
            throw std::invalid_argument(site.name + " holds a " + adapters.front()->kind() +
                                        " adapter: a PEFT LoRA folder cannot hold it");
        if (site.role == "conv")
            throw std::invalid_argument(site.name + " is a convolution: its LoRA has no PEFT form Sculpt writes");
        adapted.emplace_back(site, lora);
    }
    if (adapted.empty())
        throw std::invalid_argument("the model holds no LoRA adapter to write");
    return {std::move(adapted), std::move(heads)};
}

} // namespace

void checkPeftWritable(Model &model) { peftModules(model); }

void writePeft(Model &model, const std::string &folder, const std::string &baseModelPath)
{
    const auto [adapted, heads] = peftModules(model);
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
            tensors.emplace_back(kPrefix + site.name + ".lora_A.weight", lora->a());
            tensors.emplace_back(kPrefix + site.name + ".lora_B.weight", lora->b());
        }
        for (const LinearSite &site : heads) {
            modulesToSave.push_back(site.name);
            tensors.emplace_back(kPrefix + site.name + ".weight", site.linear->weight());
            if (site.linear->bias().defined())
                tensors.emplace_back(kPrefix + site.name + ".bias", site.linear->bias());
        }
    }

    // The keys PEFT's LoraConfig writes (sorted, as it writes them), with what Sculpt ran.
    const json config = {
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

    ExportFolder out(folder);
    writeFloatSafetensors(out.file(kWeightsFile), std::move(tensors), {{"format", "pt"}});
    const std::string text = config.dump(2) + "\n";
    AtomicFile configFile(out.file(kConfigFile));
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
            if (!dynamic_cast<const LoraAdapter *>(adapter.get()))
                throw std::invalid_argument(site.name + " holds a " + adapter->kind() +
                                            " adapter, which cannot be folded into a weight");
    torch::NoGradGuard noGrad;
    size_t merged = 0;
    for (const LinearSite &site : sites) {
        if (site.linear->adapters().empty())
            continue;
        torch::Tensor weight = site.linear->weight().detach().clone();
        for (const auto &adapter : site.linear->adapters()) {
            weight += static_cast<const LoraAdapter &>(*adapter).delta().detach();
            ++merged;
        }
        site.linear->setDenseWeight(weight.contiguous());
        site.linear->detachAdapters();
    }
    return merged;
}

std::string resolvePeftBase(const std::string &folder)
{
    const PeftConfig config = readPeftConfig(folder);
    if (config.baseModelNameOrPath.empty())
        return {};
    const fs::path named(config.baseModelNameOrPath);
    const fs::path path = named.is_absolute() ? named : fs::path(folder) / named;
    std::error_code error;
    if (!fs::exists(path, error))
        return {};
    return path.lexically_normal().string();
}

} // namespace sculpt
