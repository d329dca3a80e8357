#pragma once
// Questions about Fashion-MNIST's images, templated from their labels: what the zoo's
// vision-language demo learns to answer and is scored on. The language is made up from the
// ten class names, not written by people. Torch-free.

#include "data/idx.h"
#include "job/job.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

struct TemplatedQuestion {
    std::string question, answer;
};

// The three questions every image gets — what it is, whether it is worn on the feet, which
// category it belongs to — with the answers its label gives. Throws std::invalid_argument
// for a label that is not one of the ten classes.
std::vector<TemplatedQuestion> fashionQuestions(uint8_t label);

// Images `first` … `first + count − 1` of `images` as PNGs and their questions as LLaVA's
// conversation JSON (`questions.json`, read by readImageQuestions), all in `folder`, which
// appears complete or not at all (export_folder.h). Returns the JSON's path. Throws
// std::invalid_argument for a range outside the images or the labels, FileError for a folder
// it cannot write, Cancelled.
std::string writeFashionQuestions(const IdxImages &images, std::span<const uint8_t> labels, int64_t first,
                                  int64_t count, const std::string &folder, const JobContext &job = {});

} // namespace sculpt
