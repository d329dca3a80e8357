#include "runtime/rotary.h"

namespace sculpt {

Rotary::Rotary(int64_t headDim, double theta, RopeLayout layout, int64_t positions, torch::Device device)
    : layout_(layout)
{
    // Angles in float64: at position 4095 a float32 angle is already off by ~2e-4 rad.
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor frequencies = torch::pow(theta, -torch::arange(0, headDim, 2, f64) / double(headDim));
    const torch::Tensor angles = torch::outer(torch::arange(positions, f64), frequencies);
    cos_ = angles.cos().to(device, torch::kFloat32);
    sin_ = angles.sin().to(device, torch::kFloat32);
}

torch::Tensor Rotary::apply(const torch::Tensor &x, int64_t start) const
{
    const int64_t length = x.size(-2);
    const torch::Tensor cos = cos_.narrow(0, start, length), sin = sin_.narrow(0, start, length);
    // The two members of every rotated pair, [heads, T, headDim/2] each.
    torch::Tensor a, b;
    if (layout_ == RopeLayout::Interleaved) {
        const torch::Tensor pairs = x.unflatten(-1, {x.size(-1) / 2, 2});
        a = pairs.select(-1, 0);
        b = pairs.select(-1, 1);
    } else {
        const auto halves = x.chunk(2, -1);
        a = halves[0];
        b = halves[1];
    }
    const torch::Tensor ra = a * cos - b * sin, rb = a * sin + b * cos;
    return layout_ == RopeLayout::Interleaved ? torch::stack({ra, rb}, -1).flatten(-2) : torch::cat({ra, rb}, -1);
}

} // namespace sculpt
