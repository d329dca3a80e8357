#pragma once
// What a vision-language model is calibrated on and scored by: an image, a question about it
// and the answer expected — read from LLaVA's conversation files or from COCO captions.
// Torch-free.

#include <span>
#include <string>
#include <vector>

namespace sculpt {

struct ImageQuestion {
    std::string image;    // the image file
    std::string question; // without LLaVA's <image> marker: the prompt puts the image first
    std::string answer;
};

// The pairs of `path`, by content:
// - LLaVA's conversation JSON, a list of {"image": file, "conversations": [{"from": "human",
//   "value": "<image>\n…"}, {"from": "gpt", "value": …}, …]}: each human turn answered by the
//   next gpt turn is one pair;
// - a COCO captions file (coco_captions.h): each caption answers an empty question.
// Image files resolve beside the JSON, or in an `images` folder beside it when there is one.
// Throws FileError naming the file and the reason in one line: not JSON, neither form, an
// entry without an image or a turn without text, an image name that leaves its folder, no pair.
std::vector<ImageQuestion> readImageQuestions(const std::string &path);

// Throws FileError naming the first image among `pairs` (read from `path`) that is not a file:
// checked before a model loads, which reads them only afterwards.
void requireImages(std::span<const ImageQuestion> pairs, const std::string &path);

} // namespace sculpt
