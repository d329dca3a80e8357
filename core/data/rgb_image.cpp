#include "data/rgb_image.h"

#include "data/png_image.h"
#include "io/error.h"
#include "io/mapped_file.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <jpeglib.h>
#include <jerror.h> // after jpeglib.h, which it needs

namespace sculpt {
namespace {

// libjpeg reports an error through error_exit, which must not return: it longjmps back to
// decode's setjmp with the message kept here.
struct ErrorJump {
    jpeg_error_mgr manager; // first, so libjpeg's pointer to it is a pointer to this
    std::jmp_buf back;
    char message[JMSG_LENGTH_MAX] = {};
};

[[noreturn]] void onError(j_common_ptr info)
{
    auto *jump = reinterpret_cast<ErrorJump *>(info->err);
    info->err->format_message(info, jump->message);
    std::longjmp(jump->back, 1);
}

// Warnings about corrupt data are decoded through, as Pillow does; a file that ends early is an
// error, as Pillow's "image file is truncated" is. A library must not write to stderr.
void onMessage(j_common_ptr info, int level)
{
    if (level == -1 && info->err->msg_code == JWRN_JPEG_EOF) {
        auto *jump = reinterpret_cast<ErrorJump *>(info->err);
        std::snprintf(jump->message, sizeof jump->message, "the file ends early");
        std::longjmp(jump->back, 1);
    }
}

// Runs `step(info)` on a decompressor that has read the JPEG in `bytes` up to its first scan,
// destroying it afterwards; false, with `jump.message` set, when libjpeg reports an error. No
// object with a destructor may live across the setjmp (libjpeg's errors longjmp past this
// frame): `step` keeps what it makes in its caller's objects.
template <typename Step> bool withJpegHeader(const uint8_t *bytes, size_t size, ErrorJump &jump, Step step)
{
    jpeg_decompress_struct info;
    info.err = jpeg_std_error(&jump.manager);
    jump.manager.error_exit = onError;
    jump.manager.emit_message = onMessage;
    if (setjmp(jump.back)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, static_cast<unsigned long>(size));
    jpeg_read_header(&info, TRUE);
    const bool done = step(info);
    jpeg_destroy_decompress(&info);
    return done;
}

// Fills `image` from the JPEG in `bytes`, or returns false with `jump.message` or `refusal` set.
bool decodeJpeg(const uint8_t *bytes, size_t size, RgbImage &image, ErrorJump &jump, const char *&refusal)
{
    return withJpegHeader(bytes, size, jump, [&](jpeg_decompress_struct &info) {
        if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
            refusal = "a CMYK JPEG: only RGB and grey photos are read";
            return false;
        }
        if (info.image_width > kMaxImageSide || info.image_height > kMaxImageSide) {
            refusal = "the image has more than 16384 pixels a side";
            return false;
        }
        info.out_color_space = JCS_RGB;
        jpeg_start_decompress(&info);
        image.width = info.output_width;
        image.height = info.output_height;
        image.pixels.resize(size_t(image.width) * size_t(image.height) * 3);
        while (info.output_scanline < info.output_height) {
            JSAMPROW row = image.pixels.data() + size_t(info.output_scanline) * size_t(image.width) * 3;
            jpeg_read_scanlines(&info, &row, 1);
        }
        jpeg_finish_decompress(&info);
        return true;
    });
}

bool isPng(const uint8_t *bytes, size_t size)
{
    return size >= 8 && bytes[0] == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
}

void requireJpeg(const std::string &path, const uint8_t *bytes, size_t size)
{
    if (size < 3 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF)
        throw FileError(path, "neither a JPEG nor a PNG (by its first bytes)");
}

uint32_t bigEndian32(const uint8_t *bytes)
{
    return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | uint32_t(bytes[3]);
}

} // namespace

RgbImage readRgbImage(const std::string &path)
{
    const auto file = MappedFile::open(path);
    const auto *bytes = reinterpret_cast<const uint8_t *>(file->data());
    const size_t size = file->size();
    if (isPng(bytes, size))
        return readPngRgb(path);
    requireJpeg(path, bytes, size);
    RgbImage image;
    ErrorJump jump;
    const char *refusal = nullptr;
    if (!decodeJpeg(bytes, size, image, jump, refusal))
        throw FileError(path, refusal ? refusal : std::string("damaged JPEG: ") + jump.message);
    return image;
}

ImageSize readImageSize(const std::string &path)
{
    const auto file = MappedFile::open(path);
    const auto *bytes = reinterpret_cast<const uint8_t *>(file->data());
    const size_t size = file->size();
    if (isPng(bytes, size)) {
        // The PNG standard puts IHDR first: its length (13), its type, then width and height.
        if (size < 24 || std::memcmp(bytes + 12, "IHDR", 4) != 0)
            throw FileError(path, "damaged PNG: it does not start with its IHDR chunk");
        const ImageSize image{bigEndian32(bytes + 16), bigEndian32(bytes + 20)};
        if (image.width == 0 || image.height == 0 || image.width > kMaxImageSide || image.height > kMaxImageSide)
            throw FileError(path, "the PNG claims " + std::to_string(image.width) + "×" + std::to_string(image.height) +
                                      " pixels; sides of 1 to 16384 are read");
        return image;
    }
    requireJpeg(path, bytes, size);
    ImageSize image;
    ErrorJump jump;
    if (!withJpegHeader(bytes, size, jump, [&](jpeg_decompress_struct &info) {
            image = {info.image_width, info.image_height};
            return true;
        }))
        throw FileError(path, std::string("damaged JPEG: ") + jump.message);
    return image;
}

} // namespace sculpt
