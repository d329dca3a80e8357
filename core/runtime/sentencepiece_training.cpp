#include "runtime/sentencepiece_training.h"

#include <dlfcn.h>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

constexpr const char *kModuleFile = "sculpt-sentencepiece-train.so";

// Where sentencepiece_module.cpp looks for its module: <prefix>/lib/sculpt beside the running
// executable's <prefix>/bin, else where CMake built it.
decltype(&sculpt_sentencepiece_train) entryPoint()
{
    static std::once_flag once;
    static decltype(&sculpt_sentencepiece_train) entry = nullptr;
    static std::string failure;
    std::call_once(once, [] {
        std::vector<fs::path> candidates;
        std::error_code error;
        const fs::path exe = fs::read_symlink("/proc/self/exe", error);
        if (!error)
            candidates.push_back(exe.parent_path() / ".." / "lib" / "sculpt" / kModuleFile);
        candidates.emplace_back(SCULPT_SENTENCEPIECE_TRAIN_BUILD_MODULE);
        for (const fs::path &candidate : candidates) {
            if (!fs::is_regular_file(candidate, error))
                continue;
            // Never closed: loading it is the expensive part, and training may run again.
            void *handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
            if (handle)
                entry = reinterpret_cast<decltype(entry)>(::dlsym(handle, "sculpt_sentencepiece_train"));
            if (!entry)
                failure = "cannot load " + candidate.string() + ": " + ::dlerror();
            return;
        }
        failure = kModuleFile;
        failure += ", which trains SentencePiece models, is not installed";
    });
    if (!entry)
        throw std::runtime_error(failure);
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
