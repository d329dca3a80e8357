// PNG images read as 8-bit grey through libpng. Before the reader sees an input, every chunk
// that fits in it gets its CRC recomputed: libpng refuses a chunk with a wrong CRC at once,
// so without this nearly every mutation would stop there and the reader's own checks (sizes,
// colour types, depths, interlacing) would go unexplored. What the reader returns must have
// the size it claims, and the images made from it must resize.

#include "data/image_sheet.h"
#include "data/png_image.h"
#include "fuzz_input.h"

#include <vector>
#include <zlib.h>

using namespace sculpt;

static_assert(fuzz::kTarget == "png");

namespace {

uint32_t bigEndian(const uint8_t *p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

// A chunk is length (4), type (4), data (length) and CRC (4) over type and data.
void repairCrcs(std::vector<uint8_t> &file)
{
    for (size_t at = 8; file.size() >= 12 && at <= file.size() - 12;) {
        const uint32_t length = bigEndian(&file[at]);
        if (length > file.size() - 12 - at)
            return;
        const uLong crc = crc32(0, &file[at + 4], uInt(4 + length));
        for (int i = 0; i < 4; ++i)
            file[at + 8 + length + size_t(i)] = uint8_t(crc >> (24 - 8 * i));
        at += 12 + size_t(length);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::vector<uint8_t> file(data, data + size);
    repairCrcs(file);
    const fuzz::MemoryFile input(file.data(), file.size());
    fuzz::refusing([&] {
        const GreyImage image = readPngGrey(input.path());
        fuzz::expect(image.width >= 1 && image.height >= 1 && image.width <= kMaxPngSide && image.height <= kMaxPngSide,
                     "image sides outside 1…kMaxPngSide");
        fuzz::expect(image.pixels.size() == uint64_t(image.width) * uint64_t(image.height),
                     "pixels do not match width × height");
        if (image.pixels.size() <= 4096) {
            const IdxImages one{1, image.height, image.width, image.pixels};
            fuzz::expect(resizeImages(one, 3, 5).pixels.size() == 15, "resized image of the wrong size");
            fuzz::expect(padImages(one, image.height + 1, image.width + 2).pixels.size() ==
                             size_t((image.height + 1) * (image.width + 2)),
                         "padded image of the wrong size");
        }
    });
    return 0;
}
