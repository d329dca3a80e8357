#pragma once
// The window's Vision-language view, as a use case: the same images and prompt put to two or
// three models that read images, each answer greedy (image_answers.h) and streamed as it
// grows, with its decoder cost and time, scored where the images come with reference answers.
// Torch-free face; without LibTorch it says it cannot (vision_language_unavailable.cpp).

#include "data/image_processor.h"
#include "job/job.h"
#include "records/vision_language_run.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class CompressedModel;
class LanguageModel;
class Tokenizer;

// Where a column's model comes from.
struct VisionLanguageSource {
    std::string name; // the column's head
    // A checkpoint or model folder to load; for a model in memory, the model it was made from,
    // whose tokenizer and image processor it reads.
    std::string path;
    std::shared_ptr<const CompressedModel> inMemory; // a pass's model the window still has; null: load `path`
    std::string tokenizer; // the one chosen for it; empty: the one beside `path`
};

// A column's model, loaded, with what it reads its prompts through.
struct VisionLanguageModel {
    std::string name, path;
    std::shared_ptr<const LanguageModel> model;
    std::shared_ptr<const Tokenizer> tokenizer;
    ImageProcessorConfig processor;
};

// Loads each source in order. Throws FileError for a model or tokenizer it cannot use,
// std::invalid_argument for a model that reads no images, Cancelled.
std::vector<VisionLanguageModel> loadVisionLanguageModels(const std::vector<VisionLanguageSource> &sources,
                                                          const JobContext &job,
                                                          const std::function<void(const std::string &)> &log);

// What a run hands over as it goes, from the job's thread: an answer growing, and one done
// (correct: 1 or 0 against the image's reference answer, −1 without one).
struct VisionLanguageProgress {
    std::function<void(size_t model, size_t image, const std::string &text)> growing;
    std::function<void(size_t model, size_t image, const std::string &text, int64_t decoderMacs, double seconds,
                       int64_t correct)>
        answered;
};

// Puts every image of `images` to every model, image by image, each model in turn: the image's
// own question, else `prompt`; at most `maxTokens` per answer. The run comes back with
// everything but its id, data files and date. Throws FileError for an image it cannot read,
// std::invalid_argument for an image that does not fit a model, Cancelled.
VisionLanguageRun runVisionLanguage(const std::vector<VisionLanguageModel> &models,
                                    const std::vector<VisionLanguageImage> &images, const std::string &prompt,
                                    long maxTokens, const JobContext &job, const VisionLanguageProgress &progress);

} // namespace sculpt
