#pragma once
// A prompt with images, made as a vision-language model reads it: the text's tokens with each
// image's tokens where it goes, and the images' pixels as the model's image processor makes
// them. Torch-free: the CLI, the evaluation and the window's side-by-side view share it.

#include "data/image_processor.h"
#include "data/rgb_image.h"
#include "runtime/image_prompt.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sculpt {

class Tokenizer;

// Where an image goes in a prompt's text.
inline constexpr std::string_view kImageMarker = "<image>";

struct VisionPrompt {
    std::vector<int32_t> tokens; // BOS, then the text and the images' tokens
    std::vector<float> pixels;   // the images' in order, format.pixelsPerImage() each
};

// `text` with kImageMarker where each of `images` goes, in order, or — when it holds none —
// the images first, right after BOS; each piece of text is encoded on its own. Each image is
// processed as `processor` says. Throws std::invalid_argument when the markers are not one per
// image or the processor does not make the format's size² pixels (in its channels).
VisionPrompt visionPrompt(const Tokenizer &tokenizer, const ImagePrompt &format, const ImageProcessorConfig &processor,
                          std::string_view text, const std::vector<RgbImage> &images);
// The same with each image read from its file first (readRgbImage: FileError naming it).
VisionPrompt visionPrompt(const Tokenizer &tokenizer, const ImagePrompt &format, const ImageProcessorConfig &processor,
                          std::string_view text, const std::vector<std::string> &images);

// The image processor of the model at `modelPath`: preprocessor_config.json in its folder, or,
// when there is none, CLIP's processor (bicubic, shortest edge then centre crop, CLIP's mean
// and std) at the format's size. Throws FileError for a preprocessor_config.json it cannot use.
ImageProcessorConfig imageProcessorFor(const std::string &modelPath, const ImagePrompt &format);

} // namespace sculpt
