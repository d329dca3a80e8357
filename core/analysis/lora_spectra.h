#pragma once
// What each LoRA adapter of a Hugging Face PEFT folder does to its base weight, as a spectrum to
// set beside the base weight's: the exact singular values of ΔW = (α/r)·B·A, taken from the
// factors — QR of B [out, r] and of Aᵀ [in, r], then the SVD of the small product of their R
// factors — never from the dense out × in matrix, so a whole model's adapters take
// milliseconds. Torch-free.

#include "adapt/peft_folder.h"
#include "analysis/spectrum.h"
#include "job/job.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

struct LoraDelta {
    std::string module;     // "vit.encoder.layer.0.attention.attention.query"
    std::string baseTensor; // the base checkpoint's weight it changes: module + ".weight"
    int64_t rank = 0;       // r, rank_pattern honoured
    double alpha = 0;       // lora_alpha, alpha_pattern honoured
    // min(r, out, in) values, descending; rows × cols as the base weight is stored; named
    // "<baseTensor> · ΔW (LoRA r 8, α 16)". contentHash stays empty: ΔW is no stored tensor.
    TensorSpectrum spectrum;
};

struct LoraSpectra {
    PeftConfig config;
    std::vector<LoraDelta> deltas; // in the base checkpoint's order of their weights
};

// Reads `peftFolder` (adapter_config.json and adapter_model.safetensors) and takes every LoRA
// module's ΔW spectrum. Each module's weight must be a matrix of `base` — [out, in], or
// [in, out] as GPT-2's Conv1D stores it (ΔW's singular values are the same either way) — with
// lora_A [r, in] and lora_B [out, r]. Which modules target_modules selects is not checked: that
// needs the model's layers (attachPeft checks it). Throws FileError naming the file and the
// reason in one line (what peft_folder.h refuses, a module the base lacks, a wrong shape, NaN);
// Cancelled on request.
LoraSpectra loraSpectra(const std::string &peftFolder, const Checkpoint &base, const JobContext &job = {});

} // namespace sculpt
