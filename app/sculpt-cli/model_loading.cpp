#include "model_loading.h"

#include "io/error.h"
#include "io/formats.h"
#include "runtime/llama_config.h"

#include <iostream>

namespace sculpt::cli {

std::optional<LoadedModel> loadModel(const std::string &command, const std::string &modelPath,
                                     const std::string &tokenizerPath)
{
    try {
        const auto checkpoint = openCheckpoint(modelPath);
        // The config and the tokenizer first: both fail faster than copying the weights.
        const LlamaConfig config = readLlamaConfig(*checkpoint);
        const std::string path = tokenizerPath.empty() ? findTokenizer(modelPath, config.vocab) : tokenizerPath;
        if (path.empty()) {
            std::cerr << "sculpt-cli " << command << ": no tokenizer beside " << modelPath
                      << " (tokenizer.model or tok" << config.vocab << ".bin); pass --tokenizer PATH\n";
            return std::nullopt;
        }
        auto tokenizer = openTokenizer(path);
        if (tokenizer->vocabSize() > config.vocab) {
            std::cerr << "sculpt-cli " << command << ": " << path << " has " << tokenizer->vocabSize()
                      << " tokens, more than the model's " << config.vocab << ": not this model's tokenizer\n";
            return std::nullopt;
        }
        return LoadedModel{LanguageModel::load(*checkpoint), std::move(tokenizer)};
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return std::nullopt;
    }
}

} // namespace sculpt::cli
