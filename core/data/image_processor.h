#pragma once
// A photo made into a vision tower's pixels as Hugging Face's CLIP and SigLIP image processors
// make it — convert to RGB, resize (Pillow's bicubic or bilinear resampling, reproduced to the
// byte), centre crop, rescale, normalise — with the settings preprocessor_config.json gives.
// Torch-free.

#include "data/rgb_image.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sculpt {

// Pillow's resampling filters, by the numbers preprocessor_config.json's "resample" uses.
enum class Resample { Bilinear = 2, Bicubic = 3 };

struct ImageProcessorConfig {
    bool doResize = true;
    // size: {"shortest_edge": n} — the short side becomes n, the long one in proportion
    // (CLIP) — or {"height": h, "width": w} exactly (SigLIP).
    int64_t shortestEdge = 0;
    int64_t height = 0, width = 0;
    Resample resample = Resample::Bicubic;
    bool doCenterCrop = false;
    int64_t cropHeight = 0, cropWidth = 0;
    bool doRescale = true;
    double rescaleFactor = 1.0 / 255;
    bool doNormalize = true;
    double mean[3] = {0.48145466, 0.4578275, 0.40821073}; // CLIP's, the processors' default
    double std[3] = {0.26862954, 0.26130258, 0.27577711};
};

// Reads a preprocessor_config.json. Throws FileError naming the file and the field in one line
// for what is not JSON, a field of the wrong type, a size that is neither form, or a resample
// filter other than bilinear (2) and bicubic (3).
ImageProcessorConfig readImageProcessorConfig(const std::string &path);
// The same from the file's text; errors name `path`.
ImageProcessorConfig parseImageProcessorConfig(std::string_view text, const std::string &path);

// Pillow's Image.resize((width, height), resample) of an RGB image, byte for byte: each
// output pixel a filter-weighted sum of the input's (the filter widened when shrinking, so
// it averages rather than skips), horizontally then vertically, each pass rounded to 8 bits;
// a pass whose side keeps its size is skipped. Throws std::invalid_argument for a side below 1.
RgbImage resizeImage(const RgbImage &image, int64_t width, int64_t height, Resample filter);

// The centred width × height window (Hugging Face's center_crop: the top-left corner rounded
// down; zeros where the window overhangs a smaller image).
RgbImage centreCrop(const RgbImage &image, int64_t width, int64_t height);

// The size resize gives the image under `config` (its own when doResize is false): width, height.
std::pair<int64_t, int64_t> resizedSize(const RgbImage &image, const ImageProcessorConfig &config);

// The model's input: [channels, height, width] float32, channel-major, computed as the
// processors do (rescale in float64 then float32, normalise in float32). One channel is the
// image made grey first, as Pillow's convert("L") makes it, normalised by the first mean and
// std: what a tower trained on grey images reads. Throws std::invalid_argument for other
// channel counts than 1 and 3.
std::vector<float> processImage(const RgbImage &image, const ImageProcessorConfig &config, int64_t channels = 3);

} // namespace sculpt
