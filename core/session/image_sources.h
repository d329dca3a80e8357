#pragma once
// What a Vision-language run records about where its images came from: each source file with
// its size and content hash, so a later run on changed files is told apart. Torch-free.

#include "records/evaluation.h"
#include "records/vision_language_run.h"

#include <string>
#include <vector>

namespace sculpt {

// Each of `sources` (vision_language_images.h) as a DataFile: an image file or an IDX set as
// "images", a COCO file as "captions", a LLaVA file as "questions"; a folder as those of its
// images that `images` uses. Throws FileError for one it cannot read.
std::vector<DataFile> describeImageSources(const std::vector<std::string> &sources,
                                           const std::vector<VisionLanguageImage> &images);

} // namespace sculpt
