#pragma once
// A COCO captions file (captions_train2017.json's form, as ../shared's coco_mini holds): each
// image's file, size and human-written captions — the reference answers a vision-language
// preview shows beside what the models say. Torch-free.

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

struct CaptionedImage {
    int64_t id = 0;
    std::string path; // the image file, resolved as readCocoCaptions says
    int64_t width = 0, height = 0;
    std::vector<std::string> captions; // in the file's order; empty when it has none
};

// The images of `path` in the file's order, each with its captions. An image's file is
// file_name under `imageFolder`, or, when that is empty, under an `images` folder beside the
// JSON if there is one, else beside the JSON. Throws FileError naming the file and the reason
// in one line: not JSON, no images or annotations list, an image without an id or file name
// (or a file name that leaves its folder), two images with one id, a caption of an image the
// file does not list, a caption that is not text.
std::vector<CaptionedImage> readCocoCaptions(const std::string &path, const std::string &imageFolder = {});

} // namespace sculpt
