#include "runtime/language_model_config.h"

#include "model/architecture.h"
#include "runtime/families/gpt2/gpt2_config.h"
#include "runtime/families/llama/llama_config.h"
#include "runtime/families/llava/llava_config.h"

namespace sculpt {

int64_t configuredVocabSize(const Checkpoint &checkpoint)
{
    // The same choice as loadCausalLm's.
    const Architecture architecture = detectArchitecture(checkpoint);
    if (architecture == Architecture::Gpt2)
        return readGpt2Config(checkpoint).vocab;
    if (architecture == Architecture::Llava)
        return readLlavaConfig(checkpoint).text.vocab;
    return readLlamaConfig(checkpoint).vocab;
}

} // namespace sculpt
