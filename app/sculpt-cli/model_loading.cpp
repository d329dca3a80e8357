#include "model_loading.h"

#include "io/error.h"
#include "io/formats.h"
#include "runtime/language_model_config.h"

#include <iostream>

namespace sculpt::cli {

std::optional<LoadedModel> loadModel(const std::string &command, const std::string &modelPath,
                                     const std::string &tokenizerPath)
{
    try {
        const auto checkpoint = openCheckpoint(modelPath);
        // The config and the tokenizer first: both fail faster than copying the weights.
        const int64_t vocab = configuredVocabSize(*checkpoint);
        const std::string path = tokenizerPath.empty() ? findTokenizer(modelPath, vocab) : tokenizerPath;
        if (path.empty()) {
            std::cerr << "sculpt-cli " << command << ": no tokenizer beside " << modelPath
                      << " (tokenizer.model, tokenizer.json or tok" << vocab << ".bin); pass --tokenizer PATH\n";
            return std::nullopt;
        }
        auto tokenizer = openTokenizer(path);
        if (tokenizer->vocabSize() > vocab) {
            std::cerr << "sculpt-cli " << command << ": " << path << " has " << tokenizer->vocabSize()
                      << " tokens, more than the model's " << vocab << ": not this model's tokenizer\n";
            return std::nullopt;
        }
        return LoadedModel{LanguageModel::load(*checkpoint), std::move(tokenizer)};
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return std::nullopt;
    }
}

} // namespace sculpt::cli
