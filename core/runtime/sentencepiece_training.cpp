#include "runtime/sentencepiece_training.h"

#include "runtime/own_module.h"

#include <stdexcept>
#include <vector>

namespace sculpt {
namespace {

decltype(&sculpt_sentencepiece_train) entryPoint()
{
    std::string why;
    const auto entry = reinterpret_cast<decltype(&sculpt_sentencepiece_train)>(
        ownModuleSymbol("sculpt-sentencepiece-train.so", SCULPT_SENTENCEPIECE_TRAIN_BUILD_MODULE,
                        "sculpt_sentencepiece_train", "trains SentencePiece models", why));
    if (!entry)
        throw std::runtime_error(why);
    return entry;
}

struct Outcome {
    std::string model, error;
};

} // namespace

std::string trainSentencePiece(std::span<const std::string> sentences, int vocabSize)
{
    const auto train = entryPoint();
    std::vector<const char *> data;
    std::vector<size_t> sizes;
    for (const std::string &s : sentences) {
        data.push_back(s.data());
        sizes.push_back(s.size());
    }
    // LLaMA's choices where they matter for English text; input_sentence_size=0 and no
    // shuffling keep every sentence in order, one thread keeps the merges' order fixed, and
    // long sentences (a fortune can be a page) are kept whole rather than skipped.
    const std::string options = "--model_type=bpe --vocab_size=" + std::to_string(vocabSize) +
                                " --byte_fallback=true --split_digits=true --character_coverage=0.9999"
                                " --input_sentence_size=0 --shuffle_input_sentence=false --num_threads=1"
                                " --max_sentence_length=65536";
    Outcome outcome;
    const SculptSentencePieceTraining training{
        data.data(),
        sizes.data(),
        data.size(),
        options.c_str(),
        &outcome,
        [](void *context, const char *bytes, size_t size) { static_cast<Outcome *>(context)->model.assign(bytes, size); },
        [](void *context, const char *message) { static_cast<Outcome *>(context)->error = message; },
    };
    train(&training);
    if (outcome.model.empty())
        throw std::runtime_error("SentencePiece training failed: " +
                                 (outcome.error.empty() ? std::string("no model and no reason") : outcome.error));
    return outcome.model;
}

} // namespace sculpt
