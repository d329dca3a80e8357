#pragma once
// The side-by-side view's measurements: the original model and a pass's compressed model run
// on the same data — for language models perplexity on the same text by Evaluate's protocol
// and generations from the same prompt as `sculpt-cli generate` makes them; for vision models
// accuracy on the same images, with each image's predictions. Torch-free face; without
// LibTorch it says it cannot (comparison_unavailable.cpp).

#include "job/job.h"
#include "runtime/generate.h"
#include "records/evaluation.h"
#include "compress/compressed_model.h"
#include "records/pass_record.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace sculpt {

class Checkpoint;
class ImageClassifier;
class LanguageModel;
class Tokenizer;

// Both models (through the face of their kind) and, for language models, the tokenizer they
// read, loaded once and kept for the next measurement.
struct ComparedModels {
    std::shared_ptr<const LanguageModel> original, compressed;
    std::shared_ptr<const Tokenizer> tokenizer;
    std::string tokenizerPath;
    std::shared_ptr<const ImageClassifier> originalClassifier, compressedClassifier;
    bool complete() const
    {
        return (original && compressed && tokenizer) || (originalClassifier && compressedClassifier);
    }
};

// Loads what `models` lacks, of the kind the pass compressed: the original from `checkpoint`
// (with the sidecar config the pass read, if any); the compressed one from `inMemory` when the
// window still has it, else from the pass's export folder; a language model's tokenizer the
// pass read (else the one beside the model). Throws FileError for a file it cannot use,
// std::invalid_argument when the compressed model is neither in memory nor exported.
ComparedModels loadCompared(const Checkpoint &checkpoint, const std::shared_ptr<const CompressedModel> &inMemory,
                            const PassRecord &record, ComparedModels models,
                            const std::function<void(const std::string &)> &log);

// Perplexity of both on the first `maxDocuments` documents of the text file (all when < 0),
// as Evaluate measures it; each record's settings say which model it is ("model": "original"
// or "compressed"). Throws FileError for a text it cannot use, Cancelled.
std::pair<Evaluation, Evaluation> comparePerplexity(const ComparedModels &models, const std::string &textFile,
                                                    long maxDocuments, const JobContext &job);

struct ImageComparison {
    Evaluation original, compressed;          // accuracy; settings "model" says which
    std::vector<int32_t> originalClasses, compressedClasses; // each image's top-1 class
    std::vector<uint8_t> labels;
    std::vector<std::string> classNames;      // the model's, when its config names them
};

// Accuracy of both on the first `limit` images of the IDX set (all when < 0), as Evaluate
// measures it, with every image's predictions. Throws FileError for a file it cannot use,
// std::invalid_argument for images that do not fit the models, Cancelled.
ImageComparison compareAccuracy(const ComparedModels &models, const std::string &imagesFile,
                                const std::string &labelsFile, long limit, const JobContext &job);

struct Continuation {
    std::string text; // the new text, without the prompt
    long tokens = 0;
    double seconds = 0;
};

// The same prompt (after BOS), options and seed for both, stopping at BOS or EOS as
// `sculpt-cli generate` does. Throws std::invalid_argument for a prompt longer than the
// context, Cancelled.
std::pair<Continuation, Continuation> compareGeneration(const ComparedModels &models, const std::string &prompt,
                                                        const GenerateOptions &options, const JobContext &job);

} // namespace sculpt
