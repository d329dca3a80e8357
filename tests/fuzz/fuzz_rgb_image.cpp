// Photos read as RGB by content: JPEG through libjpeg-turbo (whose errors longjmp out of the
// decoder), PNG through libpng. What the reader returns must have the size it claims, and the
// image must go through the processors' resize, crop and normalisation.

#include "data/image_processor.h"
#include "fuzz_input.h"

using namespace sculpt;

static_assert(fuzz::kTarget == "rgb_image");

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz::MemoryFile input(data, size);
    fuzz::refusing([&] {
        const RgbImage image = readRgbImage(input.path());
        fuzz::expect(image.width >= 1 && image.height >= 1 && image.width <= kMaxImageSide && image.height <= kMaxImageSide,
                     "image sides outside 1…kMaxImageSide");
        fuzz::expect(image.pixels.size() == uint64_t(image.width) * uint64_t(image.height) * 3,
                     "pixels do not match width × height × 3");
        if (image.pixels.size() <= 3 * 4096) {
            ImageProcessorConfig config;
            config.shortestEdge = 5;
            config.doCenterCrop = true;
            config.cropHeight = config.cropWidth = 6;
            fuzz::expect(processImage(image, config).size() == 3 * 36, "processed image of the wrong size");
        }
    });
    return 0;
}
