#pragma once
// A vision-language model's answer to a question about an image, as `sculpt-cli eval --vqa`
// scores it and the window's side-by-side view shows it: greedy, with what its decoder cost
// and how long it took. Torch-free.

#include "data/image_processor.h"
#include "data/image_questions.h"
#include "data/rgb_image.h"
#include "job/job.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sculpt {

class LanguageModel;
class Tokenizer;

struct ImageAnswer {
    std::string text;         // up to the first line break, trimmed
    long tokens = 0;          // generated
    int64_t decoderMacs = -1; // decoder_cost.h's count for this answer; −1 for a family without one
    double seconds = 0;
};

// The model's greedy answer to `question` (its image first, then the question's text), at most
// `maxTokens`, ending at BOS, EOS or a line break; `onText` sees the answer grow. Throws
// std::invalid_argument for a model that reads no images, FileError for an image it cannot
// read, Cancelled.
ImageAnswer answerImageQuestion(const LanguageModel &model, const Tokenizer &tokenizer,
                                const ImageProcessorConfig &processor, const ImageQuestion &question, long maxTokens,
                                const JobContext &job = {}, const std::function<void(const std::string &)> &onText = {});
// The same about an image already decoded (an IDX set's, which has no file of its own).
ImageAnswer answerImageQuestion(const LanguageModel &model, const Tokenizer &tokenizer,
                                const ImageProcessorConfig &processor, const RgbImage &image, std::string_view question,
                                long maxTokens, const JobContext &job = {},
                                const std::function<void(const std::string &)> &onText = {});

// VQA's comparison, simplified: lower case, punctuation and the articles a, an and the
// dropped, spaces collapsed; then equal.
std::string normalisedAnswer(std::string_view text);
bool answersMatch(std::string_view given, std::string_view expected);

} // namespace sculpt
