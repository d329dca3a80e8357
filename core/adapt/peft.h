#pragma once
// Hugging Face PEFT folders, read and written: adapter_config.json (peft_type, target_modules,
// modules_to_save, base_model_name_or_path …) beside adapter_model.safetensors, whose tensors
// are base_model.model.<module>.<tensor> — each adapted module's own (LoRA's lora_A.weight
// [r, in] and lora_B.weight [out, r]; another kind's, as its folder form says: adapt/peft_form.h)
// and those of each module saved whole (modules_to_save: a fine-tuned classifier). A module is
// named as our linear sites are, by the checkpoint name of its weight minus ".weight". LoRA's is
// PEFT's own form; Sculpt adds two keys PEFT lacks: sculpt_shared (a module served by another's
// adapter, scaled: Pear) and sculpt_tied (a tensor several modules hold, written once: Lily's
// experts). And merging: every adapter folded into its site's weight. Torch-free header
// (sculpt_adapt's .cpp files run torch); reading the folder's files is adapt/peft_folder.h's.

#include "adapt/peft_folder.h"

#include <cstddef>
#include <string>
#include <vector>

namespace sculpt {

class Model;

// What attachPeft did.
struct PeftLoad {
    PeftConfig config;
    std::vector<std::string> adaptedSites; // sites given a LoRA adapter, in the model's order
    std::vector<std::string> savedTensors; // modules_to_save tensors loaded, under the model's names, in file order
};

// Reads the folder's config and adapter_model.safetensors and checks every tensor against the
// model before changing anything: peft_type must be a registered adapter kind's form; each
// adapted module must be a linear site of the model that target_modules selects, with the
// tensors its form needs in the shapes the site fits, and each site target_modules selects must
// have them; every other tensor must belong to a module of modules_to_save and have the shape
// of the model's tensor of that name. Then attaches each module's adapter (LoRA's
// LoraAdapter(A, B, alpha)) and copies the modules_to_save tensors into the model.
// sculpt_shared's modules then get a SharedAdapter of their serving module's adapter.
// Throws FileError naming the file and the reason (unknown peft_type or module, wrong shape,
// missing lora_B, a module served by one without an adapter, …); the model is unchanged then.
PeftLoad attachPeft(Model &model, const std::string &folder);

// Writes every adapter the model holds — a frozen one as any other, in its kind's folder form —
// and for a vision model its classifier (the head sites without adapters, as modules_to_save),
// and for each module a shared adapter serves, the serving module and the scale under
// sculpt_shared (the adapter itself is written once, where it sits), as a PEFT folder recording
// `baseModelPath` as
// base_model_name_or_path (written as given; resolvePeftBase reads it back). The folder appears
// complete or not at all, and an existing folder is replaced only when all it holds is what
// Sculpt wrote there (export_folder.h: anything else is refused with FileError). Throws
// std::invalid_argument, before any file, when the model holds no adapter, one of a kind without
// a folder form (a bottleneck), two kinds, two adapters on one site, or one its form refuses
// (LoRA on part of a site's outputs — a fused projection's q rows — or on a convolution).
void writePeft(Model &model, const std::string &folder, const std::string &baseModelPath);
// Throws what writePeft would throw about the model's adapters, writing nothing: how a run that
// ends in writePeft refuses before it trains.
void checkPeftWritable(Model &model);

// Folds every adapter into its site's base weight, W + ΔW (LoRA's (α/r)·B·A, a shared LoRA's
// scaled; a low-rank base becomes dense; the bias stays), detaches them, and returns how many
// were folded. Throws std::invalid_argument, changing nothing, when an adapter that is not a
// linear map is present (a bottleneck, Lily): it cannot be folded into a weight.
size_t mergeAdapters(Model &model);

} // namespace sculpt
