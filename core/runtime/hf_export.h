#pragma once
// Any model the runtime holds written back as a Hugging Face folder — after compression,
// merged adapters or removed heads alike. Torch-free.

#include "job/job.h"

#include <string>
#include <utility>
#include <vector>

namespace sculpt {

class Model;

// Writes config.json (the family's, plus `records`: top-level keys, each name → JSON text,
// saying what Sculpt did to the model), model.safetensors (low-rank sites as name.weight_a and
// name.weight_b when `factorized`, else multiplied out), the model's folderFiles(), and a copy of `tokenizerFile` when
// one is given. Throws std::invalid_argument, before any file, for a model whose layout
// Hugging Face's config cannot say. The folder appears complete or not at all; an existing
// folder is replaced only when all it holds is what Sculpt wrote there (export_folder.h;
// anything else is refused with FileError). Throws Cancelled.
void writeHfFolder(Model &model, const std::string &folder, bool factorized,
                   const std::vector<std::pair<std::string, std::string>> &records = {},
                   const std::string &tokenizerFile = {}, const JobContext &job = {});

} // namespace sculpt
