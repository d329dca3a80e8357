#include "runtime/model_tokenizer.h"

#include "io/error.h"
#include "runtime/language_model_config.h"

namespace sculpt {

ModelTokenizer openModelTokenizer(const Checkpoint &checkpoint, const std::string &chosen, const std::string &whatToDo)
{
    const int64_t vocab = configuredVocabSize(checkpoint);
    ModelTokenizer out;
    out.path = chosen.empty() ? findTokenizer(checkpoint.path(), vocab) : chosen;
    if (out.path.empty())
        throw FileError(checkpoint.path(), "no tokenizer beside the model (tokenizer.model, tokenizer.json or tok" +
                                               std::to_string(vocab) + ".bin); " + whatToDo);
    out.tokenizer = openTokenizer(out.path);
    if (out.tokenizer->vocabSize() > vocab)
        throw FileError(out.path, "has " + std::to_string(out.tokenizer->vocabSize()) + " tokens, more than the model's " +
                                      std::to_string(vocab) + ": not this model's tokenizer");
    return out;
}

} // namespace sculpt
