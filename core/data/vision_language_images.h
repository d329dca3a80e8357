#pragma once
// The images the window's Vision-language view puts to its models, from whatever the user
// points at — image files, folders of them, an IDX set, a COCO captions JSON or a LLaVA
// conversation JSON — each with its own question and its reference answer or captions where
// the source has them. Torch-free.

#include "data/idx.h"
#include "data/rgb_image.h"
#include "records/vision_language_run.h"

#include <string>
#include <vector>

namespace sculpt {

// What kind of source `path` is, told by its content (a folder by being one).
enum class ImageSourceKind { ImageFile, Folder, Idx, CocoCaptions, LlavaQuestions };
ImageSourceKind imageSourceKind(const std::string &path);

// The images of `sources` in order, at most `limit` (all when < 1): an image file as it is, a
// folder's JPEG and PNG files in name order, an IDX set's images by index, a COCO file's images
// with their captions (shown, not scored), a LLaVA file's questions with their answers (scored).
// Throws FileError naming the source in one line for one it cannot read or that holds no image,
// and naming an image file that is not there.
std::vector<VisionLanguageImage> readVisionLanguageImages(const std::vector<std::string> &sources, long limit);

// An IDX set's image `index` as RGB, its grey repeated into the three channels.
RgbImage idxRgbImage(const IdxImages &set, int64_t index);

} // namespace sculpt
