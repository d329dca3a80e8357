#pragma once
// A run of the window's Vision-language view: the same images and prompt put to two or three
// models that read images, each model's answers with what its decoder cost and how long each
// took, and the reference answers or captions shown beside them. Kept in the open model's
// workspace so reopening the model shows the last run again. Torch-free.

#include "records/evaluation.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sculpt {

// One image the models were asked about.
struct VisionLanguageImage {
    std::string file;   // the image file, or the IDX set holding it
    int64_t index = -1; // its place in that IDX set; −1 for an image file of its own
    std::string question; // its own question (a LLaVA conversation's); empty: the run's prompt was asked
    std::vector<std::string> references; // the reference answer, or a COCO image's captions
    bool scored = false; // the references are an answer to score by; captions are only shown
};

// What one model answered, image by image.
struct VisionLanguageAnswers {
    std::string name;  // as the view's column heads it
    std::string path;  // where it was loaded from: a checkpoint, a folder or an export
    std::vector<std::string> answers;
    std::vector<int64_t> decoderMacs; // per answer; −1 for a family without a count
    std::vector<double> seconds;
    std::vector<int64_t> correct;     // per answer: 1 right, 0 wrong, −1 nothing to score by

    // The share of scored answers that are right; NaN without any.
    double accuracy() const
    {
        long scored = 0, right = 0;
        for (const int64_t c : correct) {
            scored += c >= 0;
            right += c == 1;
        }
        return scored ? double(right) / double(scored) : std::numeric_limits<double>::quiet_NaN();
    }
    // The decoder's mean GFLOPs (two per multiply-add) per answer; NaN when not counted.
    double meanGflops() const
    {
        double macs = 0;
        for (const int64_t m : decoderMacs) {
            if (m < 0)
                return std::numeric_limits<double>::quiet_NaN();
            macs += double(m);
        }
        return decoderMacs.empty() ? std::numeric_limits<double>::quiet_NaN() : 2e-9 * macs / double(decoderMacs.size());
    }
    double meanSeconds() const
    {
        double total = 0;
        for (const double s : seconds)
            total += s;
        return seconds.empty() ? std::numeric_limits<double>::quiet_NaN() : total / double(seconds.size());
    }
};

struct VisionLanguageRun {
    std::string id;        // its name under /vision_language_runs: given by Workspace::save(), empty before
    std::string prompt;    // asked of the images without a question of their own
    long maxTokens = 0;    // per answer
    std::vector<DataFile> data; // the image source as it was: each file with its size and content hash
    std::vector<VisionLanguageImage> images;
    std::vector<VisionLanguageAnswers> models; // one column each, the open model first
    std::string date;      // when it finished: ISO 8601, UTC
    double seconds = 0;    // how long it ran
};

// Each column's answer accuracy as `sculpt-cli eval --vqa` records it ("answer accuracy" over
// "questions", details correct, decoder_gflops_per_answer, seconds_per_answer), its settings
// naming the model ("model", "model_path"), so the Evaluations table lists it; none when the
// run has no reference answer to score by. Dated as the run; without ids or model hashes.
std::vector<Evaluation> answerAccuracies(const VisionLanguageRun &run);

} // namespace sculpt
