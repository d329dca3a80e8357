#pragma once
// How a vision-language model takes images in a prompt. Torch-free.

#include <cstdint>

namespace sculpt {

// Each image stands in the prompt as `tokensPerImage` copies of `token`; its pixels are a
// square of side `size` in `channels` channels (3, or 1 for a tower trained on grey images),
// as the image processor makes them (processImage).
struct ImagePrompt {
    int64_t token = 0;
    int64_t tokensPerImage = 0;
    int64_t size = 0;
    int64_t channels = 3;

    int64_t pixelsPerImage() const { return channels * size * size; }
};

} // namespace sculpt
