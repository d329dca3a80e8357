#pragma once
// What generate and eval both start with: the model and its tokenizer.

#include "runtime/language_model.h"
#include "runtime/tokenizer.h"

#include <memory>
#include <optional>
#include <string>

namespace sculpt::cli {

struct LoadedModel {
    std::unique_ptr<LanguageModel> model;
    std::unique_ptr<Tokenizer> tokenizer;
};

// The model at `modelPath` with the tokenizer at `tokenizerPath`, or when that is empty the
// one beside the model. Prints one line and returns nothing when either cannot be used.
std::optional<LoadedModel> loadModel(const std::string &modelPath, const std::string &tokenizerPath);

} // namespace sculpt::cli
