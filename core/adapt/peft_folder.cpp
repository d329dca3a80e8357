#include "adapt/peft_folder.h"

#include "io/error.h"
#include "io/json_text.h"
#include "io/mapped_file.h"
#include "io/safetensors.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

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

// rank_pattern's and alpha_pattern's keys match the end of a module's name.
template <typename T>
T patterned(const std::map<std::string, T> &patterns, const std::string &module, T otherwise)
{
    for (const auto &[key, value] : patterns)
        if (std::regex_match(module, std::regex("(.*\\.)?(" + key + ")")))
            return value;
    return otherwise;
}

} // namespace

PeftConfig readPeftConfig(const std::string &folder)
{
    std::error_code error;
    const fs::path dir(folder);
    if (!fs::is_directory(dir, error))
        throw FileError(folder, fs::exists(dir, error) ? "is not a folder (a PEFT folder holds adapter_config.json)"
                                                       : "no such folder");
    const std::string path = (dir / kPeftConfigFile).string();
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
    if (f.present("sculpt_shared")) {
        const json &shared = f["sculpt_shared"];
        if (!shared.is_object())
            f.fail("sculpt_shared is " + shortText(shared) + ", not an object");
        for (const auto &[module, share] : shared.items()) {
            const std::string what = "sculpt_shared's " + module;
            if (!share.is_object() || !share.contains("adapter") || !share.contains("scale"))
                f.fail(what + " is " + shortText(share) + ", not {\"adapter\": module, \"scale\": number}");
            c.shared[f.names(json::array({module}), "sculpt_shared").front()] = {
                f.names(json::array({share["adapter"]}), what + "'s adapter").front(), f.alpha(share["scale"], what + "'s scale")};
        }
    }
    if (f.present("sculpt_tied")) {
        const json &tied = f["sculpt_tied"];
        if (!tied.is_object())
            f.fail("sculpt_tied is " + shortText(tied) + ", not an object");
        for (const auto &[tensor, storedAs] : tied.items())
            c.tied[f.names(json::array({tensor}), "sculpt_tied")[0]] =
                f.names(json::array({storedAs}), "sculpt_tied's " + tensor)[0];
    }
    return c;
}

int64_t peftRank(const PeftConfig &config, const std::string &module)
{
    return patterned(config.rankPattern, module, config.r);
}

double peftAlpha(const PeftConfig &config, const std::string &module)
{
    return patterned(config.alphaPattern, module, config.loraAlpha);
}

PeftTensors readPeftTensors(const std::string &folder, const PeftConfig &config, const std::vector<std::string> &names)
{
    const fs::path dir(folder);
    const std::string path = (dir / kPeftWeightsFile).string();
    std::error_code error;
    if (!fs::exists(path, error)) {
        if (fs::exists(dir / "adapter_model.bin", error))
            throw FileError((dir / "adapter_model.bin").string(),
                            "a pickled adapter: only adapter_model.safetensors is read (PEFT's default since 0.6)");
        throw FileError(folder, "no adapter_model.safetensors beside adapter_config.json");
    }
    PeftTensors out;
    out.file = readSafetensors(path);
    const auto fail = [&](const std::string &why) { throw FileError(path, why); };
    const std::string prefix = kPeftPrefix;
    // "<module>.<name>" split at the adapter tensor's name; false for any other tensor.
    const auto split = [&](const std::string &key, std::string &module, std::string &name) {
        for (const std::string &n : names)
            if (key.size() > n.size() + 1 && key.ends_with("." + n)) {
                module = key.substr(0, key.size() - n.size() - 1);
                name = n;
                return true;
            }
        return false;
    };
    std::map<std::string, const TensorInfo *> byKey;
    for (const TensorInfo &t : out.file->tensors()) {
        if (!t.name.starts_with(prefix))
            fail("tensor '" + t.name + "' is not under " + prefix + " as PEFT names them");
        if (t.dtype != DType::F32 && t.dtype != DType::F16 && t.dtype != DType::BF16 && t.dtype != DType::F64)
            fail(t.name + " is " + std::string(dtypeName(t.dtype)) + ", not a floating-point type");
        const std::string key = t.name.substr(prefix.size());
        std::string module, name;
        if (split(key, module, name)) {
            out.modules[module][name] = &t;
            byKey[key] = &t;
        } else if (key.find("lora_") != std::string::npos) {
            fail("tensor '" + t.name + "' is a LoRA tensor Sculpt does not run (only lora_A.weight and lora_B.weight)");
        } else {
            out.saved.push_back(&t);
        }
    }
    for (const auto &[key, storedAs] : config.tied) {
        std::string module, name, storedModule, storedName;
        if (!split(key, module, name) || !split(storedAs, storedModule, storedName) || name != storedName)
            fail("sculpt_tied ties " + key + " to " + storedAs + ": not the same tensor of two modules");
        const auto stored = byKey.find(storedAs);
        if (stored == byKey.end())
            fail("sculpt_tied ties " + key + " to " + storedAs + ", which the file does not hold");
        if (out.modules[module].count(name))
            fail(key + " is both stored and tied to " + storedAs);
        out.modules[module][name] = stored->second;
    }
    return out;
}

const TensorInfo &peftTensor(const PeftTensors &tensors, const std::string &module, const std::string &name,
                             const std::vector<int64_t> &shape, const std::string &what)
{
    const auto fail = [&](const std::string &why) { throw FileError(tensors.file->path(), why); };
    const auto found = tensors.modules.find(module);
    if (found == tensors.modules.end())
        fail(module + " has no adapter tensors");
    const auto tensor = found->second.find(name);
    if (tensor == found->second.end()) {
        std::string held;
        for (const auto &[n, info] : found->second)
            held += (held.empty() ? "" : " and ") + n;
        fail(module + " has " + held + " but no " + name);
    }
    if (tensor->second->shape != shape)
        fail(module + "." + name + " is " + shapeText(tensor->second->shape) + ", not " + what + " = " + shapeText(shape));
    return *tensor->second;
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
