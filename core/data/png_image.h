#pragma once
// PNG images as 8-bit grey or RGB, read with libpng. Torch-free.

#include "data/rgb_image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

struct GreyImage {
    int64_t width = 0;
    int64_t height = 0;
    std::vector<uint8_t> pixels; // height × width, row-major
};

// Sides up to this many pixels, so an image is at most 256 MiB.
inline constexpr int64_t kMaxPngSide = 16384;

// Any PNG as 8-bit grey through libpng's own transforms: palette and low bit depths expand,
// 16 bits scale to 8 (rounded), alpha is dropped (not composited), colour becomes luminance
// with libpng's default rgb_to_gray weights (Rec. 709: 0.2126, 0.7152, 0.0722 on the stored
// values). Ancillary chunks are skipped, so gAMA, cHRM or iCCP never change the result.
// Throws FileError naming the file and the reason: not a PNG, truncated or damaged data,
// a side over kMaxPngSide, or a header claiming more pixels than the file can hold —
// checked before the pixels are allocated.
GreyImage readPngGrey(const std::string &path);

// Any PNG as 8-bit RGB, as Pillow's Image.open(path).convert("RGB") gives it: palette and low
// bit depths expand, grey repeats into the three channels, 16 bits keep their high byte, alpha
// is dropped (not composited). Throws FileError as readPngGrey does.
RgbImage readPngRgb(const std::string &path);

} // namespace sculpt
