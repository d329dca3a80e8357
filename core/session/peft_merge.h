#pragma once
// Merge, as `sculpt-cli merge` runs it: a Hugging Face PEFT LoRA folder attached to its base
// model, folded into the weights, and written as a plain Hugging Face folder. Torch-free.

#include "adapt/peft.h"
#include "job/job.h"

#include <cstddef>
#include <string>

namespace sculpt {

struct PeftMergeRequest {
    std::string peftFolder;
    std::string base;      // the base model (resolvePeftBase finds a local one the folder names)
    std::string sidecar;   // a vision base's sidecar config, or none
    std::string tokenizer; // a language base's tokenizer; empty: the one beside it
    std::string output;    // the Hugging Face folder to write
};

struct PeftMergeResult {
    PeftLoad load;     // what the folder held and where it went
    size_t merged = 0; // LoRA adapters folded into weights
};

// Opens the base, attaches the PEFT folder (attachPeft), merges (mergeAdapters) and writes the
// merged model with writeHfFolder, its config.json recording the merge under
// "sculpt_peft_merge" (the folders, the merged sites, the tensors loaded from modules_to_save);
// a language model's tokenizer goes with it. Throws FileError for a file it cannot use (the
// base, the PEFT folder, an output that cannot become an export) and std::invalid_argument for
// a model Hugging Face's config cannot describe — in both cases before any file is written —
// and Cancelled while writing when `job` is stopped (the folder then does not appear).
PeftMergeResult mergePeftFolder(const PeftMergeRequest &request, const JobContext &job = {});

} // namespace sculpt
