#include "model_loading.h"

#include "io/error.h"
#include "io/formats.h"
#include "runtime/model_tokenizer.h"

#include <iostream>

namespace sculpt::cli {

std::optional<LoadedModel> loadModel(const std::string &modelPath, const std::string &tokenizerPath)
{
    try {
        const auto checkpoint = openCheckpoint(modelPath);
        // The config and the tokenizer first: both fail faster than copying the weights.
        ModelTokenizer tokenizer = openModelTokenizer(*checkpoint, tokenizerPath, "pass --tokenizer PATH");
        return LoadedModel{LanguageModel::load(*checkpoint), std::move(tokenizer.tokenizer)};
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return std::nullopt;
    }
}

} // namespace sculpt::cli
