#pragma once
// The kinds of adapter a fine-tuning run can attach, by the name `--adapter` takes: core's own
// (LoRA on linear sites, bottleneck adapters beside MLPs) and those method plugins register
// (Lily). Torch inside: for adapt and plugin .cpp files only.

#include "adapt/adapters.h"

#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class PeftForm;

class AdapterKind {
public:
    virtual ~AdapterKind() = default;
    virtual std::string name() const = 0;  // what --adapter takes: "lora"
    virtual std::string title() const = 0; // what a menu shows: "LoRA on q and v"
    // The AdapterSpec fields it reads beyond kind ("rank", "alpha", "roles", "scale",
    // "experts"): what a form asks for.
    virtual std::vector<std::string> settings() const = 0;
    // Attaches new adapters of this kind as `spec` asks (drawing from torch's generator: seed
    // it first) and returns their tensors, each once. Throws std::invalid_argument for settings
    // it cannot take or a model without a site for it.
    virtual std::vector<torch::Tensor> attach(Model &model, const AdapterSpec &spec) const = 0;
    // How its adapters go into a PEFT-style folder (adapt/peft_form.h); nullptr when they cannot.
    virtual const PeftForm *peftForm() const { return nullptr; }
};

// Registering a name twice keeps the first.
void registerAdapterKind(std::unique_ptr<AdapterKind> kind);
const AdapterKind *findAdapterKind(const std::string &name);
std::vector<const AdapterKind *> adapterKinds(); // core's two first, then in registration order
// The folder form whose peft_type is `peftType`, nullptr for none; and every form's peft_type,
// joined for a message ("LORA, LILY").
const PeftForm *findPeftForm(const std::string &peftType);
std::string peftTypes();

} // namespace sculpt
