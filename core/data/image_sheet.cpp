#include "data/image_sheet.h"

#include "io/error.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sculpt {
namespace {

// Sizes as width×height, the way image sizes are usually written.
std::string widthByHeight(int64_t rows, int64_t cols) { return std::to_string(cols) + "×" + std::to_string(rows); }

void checkCanvas(int64_t rows, int64_t cols, const char *what)
{
    if (rows < 1 || cols < 1 || rows > kMaxPngSide || cols > kMaxPngSide)
        throw std::invalid_argument(std::string(what) + ": " + widthByHeight(rows, cols) + " is not a size of 1 to " +
                                    std::to_string(kMaxPngSide) + " pixels a side");
}

// Where output pixel i of n samples an input of m pixels, with pixel centres aligned: the
// two input pixels around it and the weight of the second.
struct Sample {
    int64_t first, second;
    double weight;
};

std::vector<Sample> samples(int64_t n, int64_t m)
{
    std::vector<Sample> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const double at = std::clamp((double(i) + 0.5) * double(m) / double(n) - 0.5, 0.0, double(m - 1));
        const auto first = int64_t(at);
        out[size_t(i)] = {first, std::min(first + 1, m - 1), at - double(first)};
    }
    return out;
}

} // namespace

IdxImages readImageSheet(const std::string &path, int64_t tileRows, int64_t tileCols)
{
    if (tileRows < 1 || tileCols < 1)
        throw std::invalid_argument("a tile of " + widthByHeight(tileRows, tileCols) + " pixels has no pixels");
    const GreyImage sheet = readPngGrey(path);
    if (sheet.height % tileRows != 0 || sheet.width % tileCols != 0)
        throw FileError(path, "the sheet's " + widthByHeight(sheet.height, sheet.width) + " pixels are not a whole number of " +
                                  widthByHeight(tileRows, tileCols) + " tiles");
    const int64_t across = sheet.width / tileCols;
    IdxImages tiles{across * (sheet.height / tileRows), tileRows, tileCols, {}};
    tiles.pixels.resize(sheet.pixels.size());
    auto out = tiles.pixels.begin();
    for (int64_t tile = 0; tile < tiles.count; ++tile)
        for (int64_t y = 0; y < tileRows; ++y) {
            const auto row = sheet.pixels.begin() + ((tile / across) * tileRows + y) * sheet.width + (tile % across) * tileCols;
            out = std::copy_n(row, tileCols, out);
        }
    return tiles;
}

IdxImages padImages(const IdxImages &images, int64_t rows, int64_t cols)
{
    checkCanvas(rows, cols, "padImages");
    if (rows < images.rows || cols < images.cols)
        throw std::invalid_argument("padImages: a canvas of " + widthByHeight(rows, cols) + " cannot hold images of " +
                                    widthByHeight(images.rows, images.cols));
    IdxImages out{images.count, rows, cols, std::vector<uint8_t>(size_t(images.count * rows * cols))};
    const int64_t top = (rows - images.rows) / 2, left = (cols - images.cols) / 2;
    for (int64_t i = 0; i < images.count; ++i) {
        const auto from = images.image(i);
        for (int64_t y = 0; y < images.rows; ++y)
            std::copy_n(from.begin() + y * images.cols, images.cols,
                        out.pixels.begin() + (i * rows + top + y) * cols + left);
    }
    return out;
}

IdxImages resizeImages(const IdxImages &images, int64_t rows, int64_t cols)
{
    checkCanvas(rows, cols, "resizeImages");
    IdxImages out{images.count, rows, cols, std::vector<uint8_t>(size_t(images.count * rows * cols))};
    if (images.count == 0)
        return out;
    const std::vector<Sample> ys = samples(rows, images.rows), xs = samples(cols, images.cols);
    auto to = out.pixels.begin();
    for (int64_t i = 0; i < images.count; ++i) {
        const auto from = images.image(i);
        const auto at = [&](int64_t y, int64_t x) { return double(from[size_t(y * images.cols + x)]); };
        for (const Sample &y : ys)
            for (const Sample &x : xs) {
                const double upper = at(y.first, x.first) + x.weight * (at(y.first, x.second) - at(y.first, x.first));
                const double lower = at(y.second, x.first) + x.weight * (at(y.second, x.second) - at(y.second, x.first));
                *to++ = uint8_t(std::lround(upper + y.weight * (lower - upper)));
            }
    }
    return out;
}

} // namespace sculpt
