#pragma once
// How one kind of adapter is written to and read from a PEFT-style folder (adapt/peft.h): the
// peft_type it goes under, the tensors each adapted module holds, and the keys of
// adapter_config.json it alone reads. What every such folder shares — target_modules,
// modules_to_save, a module served by another's adapter (sculpt_shared), a tensor several
// modules hold written once (sculpt_tied) — is peft.cpp's. An adapter kind offers its form
// through AdapterKind::peftForm (adapt/adapter_kinds.h). Torch inside.

#include "adapt/peft_folder.h"
#include "runtime/adapter.h"
#include "runtime/model.h"

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace sculpt {

// An adapted module as written: its site and its adapter (a frozen one's inner adapter).
struct PeftModule {
    LinearSite site;
    const Adapter *adapter = nullptr;
};

// Reads one tensor of the folder, float32 on the model's device, checked finite; a tensor asked
// for again (a tied one, at each module that holds it) comes back as the same torch::Tensor.
using PeftTensorReader = std::function<torch::Tensor(const TensorInfo &)>;

class PeftForm {
public:
    virtual ~PeftForm() = default;
    virtual std::string peftType() const = 0;                 // "LORA"
    virtual std::vector<std::string> tensorNames() const = 0; // each module's: "lora_A.weight" …

    // Throws std::invalid_argument when `adapter` (of this kind) at `site` has no place in the
    // folder (LoRA on a fused projection's rows, beside a convolution).
    virtual void checkWritable(const LinearSite &site, const Adapter &adapter) const = 0;
    // The adapter's tensors by tensorNames(); one several modules hold comes back at each, and
    // the folder writes it once.
    virtual std::vector<std::pair<std::string, torch::Tensor>> tensors(const Adapter &adapter) const = 0;
    // The form's own keys of adapter_config.json (r, lora_alpha, rank_pattern …) for `modules`.
    virtual void writeConfig(const std::vector<PeftModule> &modules, const Model &model, nlohmann::json &config) const = 0;

    // The adapters of `sites` (each a module of `tensors`), in their order. Throws FileError
    // naming the weights file (peftTensor) for a missing tensor or one that does not fit its site.
    virtual std::vector<std::shared_ptr<Adapter>> read(const PeftConfig &config, const PeftTensors &tensors,
                                                       const std::vector<LinearSite> &sites,
                                                       const PeftTensorReader &read) const = 0;
};

// How PEFT's configs give each module's rank and α: r and lora_alpha are the first module's,
// and rank_pattern and alpha_pattern name the modules that differ.
void writeRankAndAlpha(const std::vector<PeftModule> &modules, const std::function<int64_t(const Adapter &)> &rank,
                       const std::function<double(const Adapter &)> &alpha, nlohmann::json &config);

} // namespace sculpt
