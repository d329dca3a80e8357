#include "data/png_encoding.h"

#include <csetjmp>
#include <png.h>
#include <stdexcept>
#include <string>

namespace sculpt {
namespace {

void appendBytes(png_structp png, png_bytep data, size_t length)
{
    auto *out = static_cast<std::vector<uint8_t> *>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + length);
}

void flushNothing(png_structp) {}

[[noreturn]] void onError(png_structp png, png_const_charp) { png_longjmp(png, 1); }
void onWarning(png_structp, png_const_charp) {}

// libpng reports an error by longjmp-ing back here, past `write`'s frame, which therefore
// holds no object with a destructor.
bool writes(png_structp png, png_infop info, const GreyImage &image, std::vector<uint8_t> *out)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_set_write_fn(png, out, appendBytes, flushNothing);
    png_set_IHDR(png, info, png_uint_32(image.width), png_uint_32(image.height), 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int64_t y = 0; y < image.height; ++y)
        png_write_row(png, image.pixels.data() + y * image.width);
    png_write_end(png, nullptr);
    return true;
}

} // namespace

std::vector<uint8_t> encodePng(const GreyImage &image)
{
    if (image.width < 1 || image.height < 1 || image.width > kMaxPngSide || image.height > kMaxPngSide ||
        image.pixels.size() != size_t(image.width * image.height))
        throw std::invalid_argument("a PNG is written from 1 to " + std::to_string(kMaxPngSide) +
                                    " pixels a side, each pixel given, not " + std::to_string(image.width) + "×" +
                                    std::to_string(image.height) + " with " + std::to_string(image.pixels.size()));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, onError, onWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    std::vector<uint8_t> out;
    const bool written = info && writes(png, info, image, &out);
    png_destroy_write_struct(&png, &info);
    if (!written)
        throw std::runtime_error("libpng could not write a PNG (out of memory?)");
    return out;
}

} // namespace sculpt
