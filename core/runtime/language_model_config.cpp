#include "runtime/language_model_config.h"

#include "model/architecture.h"
#include "runtime/families/gpt2/gpt2_config.h"
#include "runtime/families/llama/llama_config.h"

namespace sculpt {

int64_t configuredVocabSize(const Checkpoint &checkpoint)
{
    // The same choice as loadCausalLm's.
    if (detectArchitecture(checkpoint) == Architecture::Gpt2)
        return readGpt2Config(checkpoint).vocab;
    return readLlamaConfig(checkpoint).vocab;
}

} // namespace sculpt
