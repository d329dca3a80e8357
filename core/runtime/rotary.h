#pragma once
// Rotary position embeddings (RoPE) in either pairing of a head's dimensions. Torch inside:
// include from .cpp files only.

#include "runtime/llama_config.h"

#include <torch/types.h>

namespace sculpt {

class Rotary {
public:
    Rotary(int64_t headDim, double theta, RopeLayout layout, int64_t positions, torch::Device device);

    // x [heads, T, headDim] at positions start … start+T−1, each pair of dimensions turned by
    // position·theta^(−2i/headDim).
    torch::Tensor apply(const torch::Tensor &x, int64_t start) const;

private:
    RopeLayout layout_;
    torch::Tensor cos_, sin_; // [positions, headDim/2]
};

} // namespace sculpt
