#pragma once
// What a language model's config says before any weight is read, whichever architecture it
// is: callers check the tokenizer against it before paying for the weights.

#include <cstdint>

namespace sculpt {

class Checkpoint;

// The vocabulary size in the config of the model LanguageModel::load would run. Throws
// FileError as load does for a config it cannot run.
int64_t configuredVocabSize(const Checkpoint &checkpoint);

} // namespace sculpt
