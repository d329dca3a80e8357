#include "data/png_image.h"

#include "io/error.h"
#include "io/mapped_file.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <png.h>

namespace sculpt {
namespace {

// Deflate never expands data more than 1032:1, so a header claiming more image data than
// that many times the file's size is lying, and is refused before the pixels are allocated.
constexpr uint64_t kMaxDeflateRatio = 1032;

// What libpng's callbacks reach through its io and error pointers.
struct Source {
    const uint8_t *bytes;
    uint64_t size;
    uint64_t offset = 8; // past the signature, checked before libpng starts
    char message[200] = {};
};

void readBytes(png_structp png, png_bytep out, size_t length)
{
    auto *source = static_cast<Source *>(png_get_io_ptr(png));
    if (length > source->size - source->offset)
        png_error(png, "the file ends early");
    std::memcpy(out, source->bytes + source->offset, length);
    source->offset += length;
}

[[noreturn]] void onError(png_structp png, png_const_charp message)
{
    auto *source = static_cast<Source *>(png_get_error_ptr(png));
    std::snprintf(source->message, sizeof source->message, "%s", message);
    png_longjmp(png, 1);
}

// Warnings concern chunks the reader skips or repairs libpng makes itself: not the user's
// business, and a library must not write to stderr.
void onWarning(png_structp, png_const_charp) {}

// Runs `step`, which calls libpng. libpng reports an error by longjmp-ing back here past
// step's frame, so neither this function nor `step` may hold an object with a destructor.
template <typename Step> bool survives(png_structp png, Step step)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    step();
    return true;
}

// libpng's read and info structs for one file, destroyed on every way out.
class Decoder {
public:
    Decoder(const std::string &path, Source &source) : path_(path), source_(source)
    {
        png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, onError, onWarning);
        info_ = png_ ? png_create_info_struct(png_) : nullptr;
        if (!info_) {
            png_destroy_read_struct(&png_, nullptr, nullptr);
            throw FileError(path, "libpng cannot start (out of memory?)");
        }
    }
    ~Decoder() { png_destroy_read_struct(&png_, &info_, nullptr); }
    Decoder(const Decoder &) = delete;
    Decoder &operator=(const Decoder &) = delete;

    // Runs `step(png, info)`; a libpng error becomes a FileError.
    template <typename Step> void run(Step step)
    {
        png_structp png = png_;
        png_infop info = info_;
        if (!survives(png, [=] { step(png, info); }))
            throw FileError(path_, std::string("damaged PNG: ") + source_.message);
    }

private:
    const std::string &path_;
    Source &source_;
    png_structp png_ = nullptr;
    png_infop info_ = nullptr;
};

void checkSize(const std::string &path, uint64_t fileSize, uint64_t width, uint64_t height, uint64_t bitsPerPixel)
{
    const std::string claim = std::to_string(width) + "×" + std::to_string(height) + " pixels";
    if (width > uint64_t(kMaxPngSide) || height > uint64_t(kMaxPngSide))
        throw FileError(path, "the image is " + claim + "; PNGs of at most " + std::to_string(kMaxPngSide) +
                                  " pixels a side are read");
    // Every row's bytes inflate from IDAT, whatever the filters and interlacing add.
    const uint64_t data = (width * bitsPerPixel + 7) / 8 * height;
    if (data > fileSize * kMaxDeflateRatio)
        throw FileError(path, "the header claims " + claim + " (" + std::to_string(data) +
                                  " bytes of image data), more than a PNG file of " + std::to_string(fileSize) +
                                  " bytes can hold");
}

} // namespace

namespace {

// The PNG's pixels as 8-bit grey (1 channel) or RGB (3), as readPngGrey and readPngRgb say.
std::vector<uint8_t> readPng(const std::string &path, int wanted, png_uint_32 &width, png_uint_32 &height)
{
    const auto file = MappedFile::open(path);
    Source source{reinterpret_cast<const uint8_t *>(file->data()), file->size()};
    if (source.size < 8 || png_sig_cmp(source.bytes, 0, 8) != 0)
        throw FileError(path, "not a PNG (it does not start with PNG's signature)");

    Decoder decoder(path, source);
    int depth = 0, colour = 0, channels = 0;
    decoder.run([&](png_structp png, png_infop info) {
        png_set_read_fn(png, &source, readBytes);
        png_set_sig_bytes(png, 8);
        // Only IHDR, PLTE, tRNS, IDAT and IEND are read: the image, and nothing that could
        // change its colours or cost memory on the way (iCCP, zTXt).
        png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
        png_read_info(png, info);
        png_get_IHDR(png, info, &width, &height, &depth, &colour, nullptr, nullptr, nullptr);
        channels = png_get_channels(png, info);
    });
    checkSize(path, source.size, width, height, uint64_t(channels) * uint64_t(depth));

    int passes = 0;
    size_t rowBytes = 0;
    decoder.run([&](png_structp png, png_infop info) {
        png_set_expand(png); // palette to RGB, grey below 8 bits to 8, tRNS to alpha
        if (wanted == 1)
            png_set_scale_16(png);
        else
            png_set_strip_16(png); // Pillow keeps a 16-bit sample's high byte
        png_set_strip_alpha(png);
        if (wanted == 1 && (colour & PNG_COLOR_MASK_COLOR))
            png_set_rgb_to_gray(png, PNG_ERROR_ACTION_NONE, -1, -1); // negative: libpng's default weights
        if (wanted == 3 && !(colour & PNG_COLOR_MASK_COLOR))
            png_set_gray_to_rgb(png);
        passes = png_set_interlace_handling(png);
        png_read_update_info(png, info);
        rowBytes = png_get_rowbytes(png, info);
        channels = png_get_channels(png, info);
        depth = png_get_bit_depth(png, info);
    });
    // libpng writes rowBytes per row into the buffer below: it must be `wanted` bytes a pixel.
    if (rowBytes != size_t(width) * size_t(wanted) || channels != wanted || depth != 8)
        throw FileError(path, "libpng did not turn this PNG into 8-bit " + std::string(wanted == 1 ? "grey" : "RGB") +
                                  " (" + std::to_string(channels) + " channels of " + std::to_string(depth) + " bits)");

    std::vector<uint8_t> pixels(rowBytes * height);
    uint8_t *const out = pixels.data();
    decoder.run([&](png_structp png, png_infop) {
        // Interlaced images pass over every row several times, each pass filling in more.
        for (int pass = 0; pass < passes; ++pass)
            for (png_uint_32 y = 0; y < height; ++y)
                png_read_row(png, out + size_t(y) * rowBytes, nullptr);
        png_read_end(png, nullptr);
    });
    return pixels;
}

} // namespace

GreyImage readPngGrey(const std::string &path)
{
    png_uint_32 width = 0, height = 0;
    std::vector<uint8_t> pixels = readPng(path, 1, width, height);
    return {width, height, std::move(pixels)};
}

RgbImage readPngRgb(const std::string &path)
{
    png_uint_32 width = 0, height = 0;
    std::vector<uint8_t> pixels = readPng(path, 3, width, height);
    return {width, height, std::move(pixels)};
}

} // namespace sculpt
