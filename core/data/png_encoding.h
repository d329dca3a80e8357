#pragma once
// Grey images written as PNG files' bytes with libpng: how the zoo hands its images to
// readers that take files (image questions, the window). Torch-free.

#include "data/png_image.h"

#include <cstdint>
#include <vector>

namespace sculpt {

// The PNG of `image` (8-bit grey, no interlacing, no ancillary chunks): readPngGrey and
// Pillow read back exactly its pixels. Throws std::invalid_argument for an empty image or a
// side over kMaxPngSide, std::runtime_error when libpng fails (out of memory).
std::vector<uint8_t> encodePng(const GreyImage &image);

} // namespace sculpt
