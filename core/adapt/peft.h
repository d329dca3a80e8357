#pragma once
// Hugging Face PEFT's LoRA folders, read and written: adapter_config.json (peft_type "LORA",
// r, lora_alpha, target_modules, modules_to_save, base_model_name_or_path …) beside
// adapter_model.safetensors, whose tensors are base_model.model.<module>.lora_A.weight [r, in]
// and .lora_B.weight [out, r] for every adapted module, and base_model.model.<module>.<tensor>
// for each module saved whole (modules_to_save: a fine-tuned classifier). A module is named as
// our linear sites are, by the checkpoint name of its weight minus ".weight". And merging:
// every LoRA adapter folded into its site's weight. Torch-free header (sculpt_adapt's .cpp
// files run torch); reading the folder's files is adapt/peft_folder.h's.

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
// model before changing anything: each LoRA module must be a linear site of the model that
// target_modules selects, with lora_A [r, in] and lora_B [out, r] (r its rank), and each site
// target_modules selects must have both; every other tensor must belong to a module of
// modules_to_save and have the shape of the model's tensor of that name. Then attaches
// LoraAdapter(A, B, alpha) to each site and copies the modules_to_save tensors into the model.
// sculpt_shared's modules then get a SharedAdapter of their serving module's LoRA.
// Throws FileError naming the file and the reason (unknown module, wrong shape, missing
// lora_B, a module served by one without LoRA, …); the model is unchanged then.
PeftLoad attachPeft(Model &model, const std::string &folder);

// Writes every LoRA adapter the model holds — a frozen one as any other — and for a vision
// model its classifier (the head sites without adapters, as modules_to_save), and for each
// module a shared LoRA serves, the serving module and the scale under sculpt_shared (the LoRA
// itself is written once, where it sits), as a PEFT folder recording `baseModelPath` as
// base_model_name_or_path (written as given; resolvePeftBase reads it back). The folder appears
// complete or not at all, and an existing folder is replaced only when all it holds is what
// Sculpt wrote there (export_folder.h: anything else is refused with FileError). Throws
// std::invalid_argument, before any file, when the model holds no LoRA adapter, holds a
// bottleneck adapter, two LoRA adapters on one site or a LoRA on part of a site's outputs (a
// fused projection's q rows: PEFT stores none of these), or a LoRA on a convolution.
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
