#pragma once
// Colour photos as 8-bit RGB — what a vision-language model's image processor starts from —
// read by content: JPEG (libjpeg-turbo, decoded as Pillow decodes it) or PNG (libpng).
// Torch-free.

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

struct RgbImage {
    int64_t width = 0;
    int64_t height = 0;
    std::vector<uint8_t> pixels; // height × width × 3 (R, G, B), row-major
};

// Sides up to this many pixels, so an image is at most 768 MiB.
inline constexpr int64_t kMaxImageSide = 16384;

// A JPEG or a PNG (told by its first bytes) as 8-bit RGB, as Pillow's
// Image.open(path).convert("RGB") gives it: JPEG through libjpeg-turbo's defaults (the slow
// integer DCT, fancy upsampling: the decoder Pillow uses), grey repeated into the three
// channels, the EXIF orientation not applied (Hugging Face's processors do not apply it).
// Throws FileError naming the file and the reason in one line: neither JPEG nor PNG, a CMYK
// JPEG, truncated or damaged data, a side over kMaxImageSide.
RgbImage readRgbImage(const std::string &path);

struct ImageSize {
    int64_t width = 0;
    int64_t height = 0;
};

// A JPEG's or a PNG's size from its header alone, no pixel decoded: what a page layout needs of
// its scan. Throws FileError as readRgbImage does for a file that is neither, or whose header
// is damaged.
ImageSize readImageSize(const std::string &path);

} // namespace sculpt
