#pragma once
// The tokenizer a model is run with: the one the researcher chose, else the one that came
// with it, checked against the model's vocabulary.

#include "io/checkpoint.h"
#include "runtime/tokenizer.h"

#include <memory>
#include <string>

namespace sculpt {

struct ModelTokenizer {
    std::string path;
    std::unique_ptr<Tokenizer> tokenizer;
};

// The file `chosen`, else findTokenizer's beside the checkpoint. Throws FileError naming the
// model when there is none ("…; " + whatToDo), and naming the tokenizer when it cannot be
// read or has more tokens than the model's embedding has rows (another model's tokenizer).
ModelTokenizer openModelTokenizer(const Checkpoint &checkpoint, const std::string &chosen, const std::string &whatToDo);

} // namespace sculpt
