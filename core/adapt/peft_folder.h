#pragma once
// A Hugging Face PEFT folder's files as read, before any model is involved:
// adapter_config.json (as far as Sculpt runs it) and adapter_model.safetensors's tensors sorted
// into each adapted module's own (LoRA's two factors, Lily's projectors) and the tensors of
// modules saved whole. Torch-free and in sculpt_core, so the spectra of LoRA's updates need no
// runtime; adapt/peft.h attaches, writes and merges.

#include "io/checkpoint.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sculpt {

inline constexpr const char *kPeftConfigFile = "adapter_config.json";
inline constexpr const char *kPeftWeightsFile = "adapter_model.safetensors";
// PeftModel → LoraModel → the base model: every tensor's name starts so.
inline constexpr const char *kPeftPrefix = "base_model.model.";

// What adapter_config.json says, as far as Sculpt runs it.
struct PeftConfig {
    std::string peftType; // "LORA", or an adapter kind's own ("LILY": adapt/peft_form.h)
    int64_t r = 0;
    double loraAlpha = 0;
    // target_modules: a list of names, each matching a module whose name equals it or ends with
    // "." + it; or a string, a regular expression a module's whole name must match; or
    // "all-linear", every linear layer but the output layer.
    std::vector<std::string> targetModules;
    std::optional<std::string> targetRegex;
    bool allLinear = false;
    // exclude_modules (newer PEFT), matched the same way; none when absent.
    std::vector<std::string> excludeModules;
    std::optional<std::string> excludeRegex;
    // layers_to_transform: only modules inside these blocks; none when absent.
    std::optional<std::vector<int64_t>> layersToTransform;
    // Per-module r and lora_alpha, each key a pattern matching the end of a module's name.
    std::map<std::string, int64_t> rankPattern;
    std::map<std::string, double> alphaPattern;
    std::vector<std::string> modulesToSave; // matched as list entries of target_modules are
    std::string baseModelNameOrPath;
    std::string taskType; // empty when null
    // sculpt_shared (Sculpt's own key, from Pear): a module served by another module's LoRA,
    // scaled — {"<module>": {"adapter": "<module with LoRA tensors>", "scale": s}}. The served
    // module may have LoRA tensors of its own too (a pruned adapter kept, frozen).
    struct Share {
        std::string adapter;
        double scale = 1;
    };
    std::map<std::string, Share> shared;
    // sculpt_tied (Sculpt's own key): a tensor several modules hold written once —
    // {"<module>.<tensor>": "<module>.<tensor> it is stored as"}, as Lily's experts.
    std::map<std::string, std::string> tied;
};

// Reads `folder`/adapter_config.json. Throws FileError naming the file and the reason in one
// line: no such folder or file, not JSON, a field of the wrong type, no peft_type (which kinds
// Sculpt runs is adapt/peft.h's to say), or an option Sculpt does not run (use_rslora, use_dora, bias other than "none",
// lora_bias, layer_replication, trainable_token_indices) — refused rather than run wrongly.
PeftConfig readPeftConfig(const std::string &folder);

// One module's r and lora_alpha: rank_pattern's and alpha_pattern's first key matching the end
// of its name, else the config's r and lora_alpha.
int64_t peftRank(const PeftConfig &config, const std::string &module);
double peftAlpha(const PeftConfig &config, const std::string &module);

inline const std::vector<std::string> kLoraTensors{"lora_A.weight", "lora_B.weight"}; // [r, in], [out, r]

// adapter_model.safetensors, its tensors sorted by what they are (names without kPeftPrefix).
struct PeftTensors {
    std::unique_ptr<Checkpoint> file;
    // By module, its adapter tensors by name ("lora_A.weight"); a tied tensor (sculpt_tied) is
    // the very TensorInfo of the one it is stored as.
    std::map<std::string, std::map<std::string, const TensorInfo *>> modules;
    std::vector<const TensorInfo *> saved; // the rest, in file order: modules_to_save's tensors
};

// Reads `folder`/adapter_model.safetensors's header, sorting `<module>.<name>` for each of
// `names` (the kind's tensors, e.g. kLoraTensors) into `modules`, and resolving `config`'s
// ties. Throws FileError naming the file and the reason: no such file (or only a pickled
// adapter_model.bin), a tensor not under kPeftPrefix, a LoRA tensor Sculpt does not run (DoRA's
// magnitude, lora_embedding_A …), a tie to a tensor the file lacks, a tensor that is not
// floating-point.
PeftTensors readPeftTensors(const std::string &folder, const PeftConfig &config, const std::vector<std::string> &names);

// `module`'s tensor `name`, checked to have `shape` (which `what` describes: "[r, in]");
// throws FileError naming the weights file when the module lacks it (naming what it has) or
// its shape differs.
const TensorInfo &peftTensor(const PeftTensors &tensors, const std::string &module, const std::string &name,
                             const std::vector<int64_t> &shape, const std::string &what);

// The base model a PEFT folder names, when base_model_name_or_path is a local path (absolute,
// or relative to the PEFT folder) that exists; otherwise empty (a hub name: the hub is out of
// reach here). Throws FileError as readPeftConfig does.
std::string resolvePeftBase(const std::string &folder);

} // namespace sculpt
