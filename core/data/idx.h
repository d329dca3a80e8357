#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic, then one
// count per dimension) followed by unsigned bytes, raw or gzip-compressed. Torch-free.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

struct IdxImages {
    int64_t count = 0;
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<uint8_t> pixels; // count × rows × cols, row-major

    std::span<const uint8_t> image(int64_t i) const
    {
        return std::span(pixels).subspan(size_t(i * rows * cols), size_t(rows * cols));
    }
};

// Magic 0x00000803: count × rows × cols unsigned bytes. gzip is recognised by its content.
// Throws FileError naming the file and the reason for a wrong magic, a header whose sizes
// disagree with the data, or a damaged gzip stream — checked before anything large is
// allocated.
IdxImages readIdxImages(const std::string &path);

// Magic 0x00000801: one unsigned byte per item. Same checks.
std::vector<uint8_t> readIdxLabels(const std::string &path);

} // namespace sculpt
