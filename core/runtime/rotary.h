#pragma once
// Rotary position embeddings (RoPE) in Hugging Face's pairing of a head's dimensions, (i, i + d/2);
// llama2.c's interleaved rows are permuted into it when a model loads. Torch inside: include
// from .cpp files only.

#include <torch/types.h>

namespace sculpt {

class Rotary {
public:
    Rotary(int64_t headDim, double theta, int64_t positions, torch::Device device);

    // The angles of some positions, looked up once per forward pass for every layer.
    struct Window {
        torch::Tensor cos, sin; // [..., T, 1, headDim]: cos over both halves; −sin over the first, sin over the second
    };
    // Positions start … start+T−1: [T, 1, headDim].
    Window window(int64_t start, int64_t length) const;
    // Any positions [B, T] (int64): [B, T, 1, headDim].
    Window at(const torch::Tensor &positions) const;

    // x [..., T, heads, headDim], each pair of dimensions (i, i + headDim/2) turned by
    // position·theta^(−2i/headDim).
    static torch::Tensor apply(const torch::Tensor &x, const Window &angles);

private:
    torch::Tensor cos_, sin_; // [positions, 1, headDim], as in Window
};

} // namespace sculpt
