#pragma once
// Image sets cut from a tiled sheet (OpenCV's digits.png: 5,000 digits of 20×20 in one
// 2000×1000 PNG) and brought to the size a model expects. Torch-free.

#include "data/idx.h"
#include "data/png_image.h"

#include <cstdint>
#include <string>

namespace sculpt {

// The tileRows × tileCols tiles of the PNG at `path`, read as grey (readPngGrey), left to
// right and then top to bottom: tile i sits in tile row i / (width / tileCols). Throws
// FileError for an unreadable PNG or one whose sides are not whole numbers of tiles, and
// std::invalid_argument for a tile without pixels.
IdxImages readImageSheet(const std::string &path, int64_t tileRows, int64_t tileCols);

// Each image centred on a zero canvas of rows × cols, as MNIST's 20×20 digits were placed in
// 28×28 (an odd margin leaves its extra pixel below and right). Throws std::invalid_argument
// when the canvas is smaller than the images or has a side over kMaxPngSide.
IdxImages padImages(const IdxImages &images, int64_t rows, int64_t cols);

// Each image resampled bilinearly to rows × cols with pixel centres aligned (OpenCV's
// INTER_LINEAR, PyTorch's align_corners=False), rounded to the nearest byte. No
// antialiasing: shrinking by more than half skips pixels. Throws std::invalid_argument for
// a side outside 1…kMaxPngSide.
IdxImages resizeImages(const IdxImages &images, int64_t rows, int64_t cols);

} // namespace sculpt
