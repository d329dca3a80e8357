#include "data/image_processor.h"

#include "io/error.h"
#include "io/json_text.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt {
namespace {

using json = nlohmann::json;

// Pillow's fixed-point weights: 32 bits less 8 for the pixel and 2 for the filter's overshoot.
constexpr int kPrecisionBits = 32 - 8 - 2;

double bicubic(double x) // Keys' cubic with a = -0.5, as Pillow's
{
    constexpr double a = -0.5;
    x = std::fabs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

double bilinear(double x)
{
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

// One output pixel's source range and weights along one side, as Pillow's precompute_coeffs
// and normalize_coeffs_8bpc make them.
struct Taps {
    int first = 0;
    std::vector<int32_t> weights;
};

std::vector<Taps> tapsFor(int inSize, int outSize, Resample filter)
{
    const double scale = double(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = (filter == Resample::Bicubic ? 2.0 : 1.0) * filterScale;
    std::vector<Taps> taps(static_cast<size_t>(outSize));
    for (int xx = 0; xx < outSize; ++xx) {
        const double centre = (xx + 0.5) * scale;
        // Truncations, as Pillow's (int) casts.
        const int xmin = std::max(int(centre - support + 0.5), 0);
        const int xmax = std::min(int(centre + support + 0.5), inSize) - xmin;
        std::vector<double> k(size_t(std::max(xmax, 0)));
        double sum = 0;
        for (int x = 0; x < xmax; ++x) {
            const double at = (x + xmin - centre + 0.5) / filterScale;
            k[size_t(x)] = filter == Resample::Bicubic ? bicubic(at) : bilinear(at);
            sum += k[size_t(x)];
        }
        Taps &t = taps[size_t(xx)];
        t.first = xmin;
        for (double w : k) {
            if (sum != 0.0)
                w /= sum;
            t.weights.push_back(int32_t(w < 0 ? -0.5 + w * (1 << kPrecisionBits) : 0.5 + w * (1 << kPrecisionBits)));
        }
    }
    return taps;
}

uint8_t clip8(int32_t sum)
{
    if (sum >= (1 << kPrecisionBits << 8))
        return 255;
    if (sum <= 0)
        return 0;
    return uint8_t(sum >> kPrecisionBits);
}

// One pass along rows (horizontal) or columns: `out` has `outSize` pixels along that side.
RgbImage resample(const RgbImage &in, int outSize, bool horizontal, Resample filter)
{
    const int inSize = int(horizontal ? in.width : in.height);
    const std::vector<Taps> taps = tapsFor(inSize, outSize, filter);
    RgbImage out{horizontal ? outSize : in.width, horizontal ? in.height : outSize, {}};
    out.pixels.resize(size_t(out.width * out.height * 3));
    const auto source = [&](int64_t x, int64_t y, int c) { return int32_t(in.pixels[size_t((y * in.width + x) * 3 + c)]); };
    for (int64_t y = 0; y < out.height; ++y)
        for (int64_t x = 0; x < out.width; ++x) {
            const Taps &t = taps[size_t(horizontal ? x : y)];
            for (int c = 0; c < 3; ++c) {
                int32_t sum = 1 << (kPrecisionBits - 1);
                for (size_t i = 0; i < t.weights.size(); ++i)
                    sum += (horizontal ? source(t.first + int64_t(i), y, c) : source(x, t.first + int64_t(i), c)) *
                           t.weights[i];
                out.pixels[size_t((y * out.width + x) * 3 + c)] = clip8(sum);
            }
        }
    return out;
}

// A field's value, each error naming the file and the field.
class Fields {
public:
    Fields(std::string path, const json &config) : path_(std::move(path)), config_(config) {}
    [[noreturn]] void fail(const std::string &why) const { throw FileError(path_, why); }
    bool present(const char *key) const { return config_.contains(key) && !config_[key].is_null(); }
    bool flag(const char *key, bool otherwise) const
    {
        if (!present(key))
            return otherwise;
        if (!config_[key].is_boolean())
            fail(std::string(key) + " is not true or false");
        return config_[key].get<bool>();
    }
    int64_t side(const json &value, const std::string &what) const
    {
        if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > kMaxImageSide)
            fail(what + " is " + value.dump() + ", not a side in pixels (1 to 16384)");
        return value.get<int64_t>();
    }
    double number(const json &value, const std::string &what) const
    {
        if (!value.is_number() || !std::isfinite(value.get<double>()))
            fail(what + " is " + value.dump() + ", not a number");
        return value.get<double>();
    }
    // {"height": h, "width": w}, or one number for both (crop_size).
    void heightWidth(const char *key, int64_t &height, int64_t &width) const
    {
        const json &v = config_[key];
        if (v.is_object() && v.contains("height") && v.contains("width")) {
            height = side(v["height"], std::string(key) + "'s height");
            width = side(v["width"], std::string(key) + "'s width");
        } else {
            height = width = side(v, key);
        }
    }
    // Three numbers (R, G, B), or one for every channel (a grey model's), alone or in a list.
    void perChannel(const char *key, double (&out)[3]) const
    {
        const json &v = config_[key];
        const json list = v.is_array() ? v : json::array({v});
        if (list.size() != 3 && list.size() != 1)
            fail(std::string(key) + " is " + v.dump() + ", neither three numbers (R, G, B) nor one");
        for (size_t c = 0; c < 3; ++c)
            out[c] = number(list[list.size() == 1 ? 0 : c], key);
        if (std::string(key) == "image_std" && std::min({out[0], out[1], out[2]}) <= 0)
            fail("image_std holds a value that is not positive");
    }
    const json &operator[](const char *key) const { return config_[key]; }

private:
    std::string path_;
    const json &config_;
};

} // namespace

ImageProcessorConfig readImageProcessorConfig(const std::string &path)
{
    const auto file = MappedFile::open(path);
    if (file->size() > 1'000'000)
        throw FileError(path, "larger than 1 MB: not a preprocessor_config.json");
    return parseImageProcessorConfig(std::string_view(reinterpret_cast<const char *>(file->data()), file->size()), path);
}

ImageProcessorConfig parseImageProcessorConfig(std::string_view text, const std::string &path)
{
    const json config = parseJson(text, path, "preprocessor_config.json");
    if (!config.is_object())
        throw FileError(path, "is not a JSON object");
    const Fields f(path, config);
    ImageProcessorConfig c;
    c.doResize = f.flag("do_resize", true);
    if (c.doResize) {
        if (!f.present("size"))
            f.fail("do_resize is true but no size is given");
        const json &size = f["size"];
        if (size.is_object() && size.contains("shortest_edge"))
            c.shortestEdge = f.side(size["shortest_edge"], "size's shortest_edge");
        else if (size.is_object() && size.contains("height"))
            f.heightWidth("size", c.height, c.width);
        else if (size.is_number_integer()) // older configs: the short side
            c.shortestEdge = f.side(size, "size");
        else
            f.fail("size is " + size.dump() + ", neither {\"shortest_edge\": n} nor {\"height\": h, \"width\": w}");
    }
    if (f.present("resample")) {
        const json &r = f["resample"];
        if (!r.is_number_integer() || (r.get<int>() != 2 && r.get<int>() != 3))
            f.fail("resample is " + r.dump() + ": only Pillow's bilinear (2) and bicubic (3) are run");
        c.resample = Resample(r.get<int>());
    }
    c.doCenterCrop = f.flag("do_center_crop", false);
    if (c.doCenterCrop) {
        if (!f.present("crop_size"))
            f.fail("do_center_crop is true but no crop_size is given");
        f.heightWidth("crop_size", c.cropHeight, c.cropWidth);
    }
    c.doRescale = f.flag("do_rescale", true);
    if (f.present("rescale_factor"))
        c.rescaleFactor = f.number(f["rescale_factor"], "rescale_factor");
    c.doNormalize = f.flag("do_normalize", true);
    if (f.present("image_mean"))
        f.perChannel("image_mean", c.mean);
    if (f.present("image_std"))
        f.perChannel("image_std", c.std);
    return c;
}

RgbImage resizeImage(const RgbImage &image, int64_t width, int64_t height, Resample filter)
{
    if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide)
        throw std::invalid_argument("an image is resized to 1 to 16384 pixels a side, not " + std::to_string(width) +
                                    "×" + std::to_string(height));
    if (image.width < 1 || image.height < 1)
        throw std::invalid_argument("an empty image cannot be resized");
    RgbImage out = image;
    if (width != image.width)
        out = resample(out, int(width), true, filter);
    if (height != image.height)
        out = resample(out, int(height), false, filter);
    return out;
}

RgbImage centreCrop(const RgbImage &image, int64_t width, int64_t height)
{
    // Where the window's top-left corner falls on the image; negative where it overhangs.
    const int64_t top = image.height >= height ? (image.height - height) / 2
                                               : -int64_t(std::ceil((height - image.height) / 2.0)),
                  left = image.width >= width ? (image.width - width) / 2
                                              : -int64_t(std::ceil((width - image.width) / 2.0));
    RgbImage out{width, height, std::vector<uint8_t>(size_t(width * height * 3), 0)};
    for (int64_t y = 0; y < height; ++y)
        for (int64_t x = 0; x < width; ++x) {
            const int64_t sy = y + top, sx = x + left;
            if (sy < 0 || sx < 0 || sy >= image.height || sx >= image.width)
                continue;
            std::copy_n(&image.pixels[size_t((sy * image.width + sx) * 3)], 3, &out.pixels[size_t((y * width + x) * 3)]);
        }
    return out;
}

std::pair<int64_t, int64_t> resizedSize(const RgbImage &image, const ImageProcessorConfig &config)
{
    if (!config.doResize)
        return {image.width, image.height};
    if (!config.shortestEdge)
        return {config.width, config.height};
    // The long side in proportion, truncated, as transformers' get_resize_output_image_size.
    const int64_t n = config.shortestEdge;
    if (image.width <= image.height)
        return {n, int64_t(double(n) * double(image.height) / double(image.width))};
    return {int64_t(double(n) * double(image.width) / double(image.height)), n};
}

namespace {

// Pillow's convert("L"): ITU-R 601-2 luma, (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16, repeated
// into the three channels.
RgbImage greyImage(const RgbImage &image)
{
    RgbImage out = image;
    for (size_t i = 0; i + 2 < out.pixels.size(); i += 3) {
        const uint32_t luma =
            (19595u * image.pixels[i] + 38470u * image.pixels[i + 1] + 7471u * image.pixels[i + 2] + 0x8000u) >> 16;
        std::fill_n(&out.pixels[i], 3, uint8_t(luma));
    }
    return out;
}

} // namespace

std::vector<float> processImage(const RgbImage &image, const ImageProcessorConfig &config, int64_t channels)
{
    if (channels != 1 && channels != 3)
        throw std::invalid_argument("an image is made into 1 (grey) or 3 (RGB) channels, not " + std::to_string(channels));
    // Grey first, as Pillow resizes an "L" image: each channel of a grey RGB image resizes alike.
    const RgbImage source = channels == 1 ? greyImage(image) : image;
    const auto [width, height] = resizedSize(source, config);
    RgbImage shaped = config.doResize ? resizeImage(source, width, height, config.resample) : source;
    if (config.doCenterCrop)
        shaped = centreCrop(shaped, config.cropWidth, config.cropHeight);
    const size_t plane = size_t(shaped.width * shaped.height);
    std::vector<float> out(size_t(channels) * plane);
    for (size_t i = 0; i < plane; ++i)
        for (size_t c = 0; c < size_t(channels); ++c) {
            float v = shaped.pixels[i * 3 + c];
            if (config.doRescale)
                v = float(double(shaped.pixels[i * 3 + c]) * config.rescaleFactor);
            if (config.doNormalize)
                v = (v - float(config.mean[c])) / float(config.std[c]);
            out[c * plane + i] = v;
        }
    return out;
}

} // namespace sculpt
