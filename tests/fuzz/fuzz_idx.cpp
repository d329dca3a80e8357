// IDX image and label sets (MNIST's format, raw or gzip), compiled once per kind
// (SCULPT_FUZZ_TARGET idx_images or idx_labels). What the reader returns must be what the
// header claims, every image a view inside the pixels.

#include "data/idx.h"
#include "fuzz_input.h"

using namespace sculpt;

static_assert(fuzz::kTarget == "idx_images" || fuzz::kTarget == "idx_labels");

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz::MemoryFile input(data, size);
    fuzz::refusing([&] {
        if constexpr (fuzz::kTarget == "idx_images") {
            const IdxImages images = readIdxImages(input.path());
            fuzz::expect(images.count >= 0 && images.rows >= 0 && images.cols >= 0, "negative IDX dimensions");
            fuzz::expect(images.pixels.size() == uint64_t(images.count) * uint64_t(images.rows) * uint64_t(images.cols),
                         "pixels do not match count × rows × cols");
            uint64_t sum = 0;
            for (int64_t i = 0; i < std::min<int64_t>(images.count, 4); ++i)
                for (const uint8_t pixel : images.image(i))
                    sum += pixel;
            (void)sum;
        } else {
            (void)readIdxLabels(input.path());
        }
    });
    return 0;
}
