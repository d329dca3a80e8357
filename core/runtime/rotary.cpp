#include "runtime/rotary.h"

namespace sculpt {

Rotary::Rotary(int64_t headDim, double theta, int64_t positions, torch::Device device)
{
    // Angles in float64: at position 4095 a float32 angle is already off by ~2e-4 rad.
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor frequencies = torch::pow(theta, -torch::arange(0, headDim, 2, f64) / double(headDim));
    const torch::Tensor angles = torch::outer(torch::arange(positions, f64), frequencies);
    const torch::Tensor cos = angles.cos().to(device, torch::kFloat32), sin = angles.sin().to(device, torch::kFloat32);
    cos_ = torch::cat({cos, cos}, -1).unsqueeze(1);
    sin_ = torch::cat({-sin, sin}, -1).unsqueeze(1);
}

Rotary::Window Rotary::window(int64_t start, int64_t length) const
{
    return {cos_.narrow(0, start, length), sin_.narrow(0, start, length)};
}

Rotary::Window Rotary::at(const torch::Tensor &positions) const
{
    const int64_t b = positions.size(0), t = positions.size(1), d = cos_.size(-1);
    const torch::Tensor flat = positions.reshape({-1});
    return {cos_.index_select(0, flat).view({b, t, 1, d}), sin_.index_select(0, flat).view({b, t, 1, d})};
}

torch::Tensor Rotary::apply(const torch::Tensor &x, const Window &angles)
{
    // With a, b the two halves: (a·cos − b·sin, b·cos + a·sin) = x·cos + (b, a)·(−sin, sin), in
    // three operations instead of eight: on a small model each costs more than its arithmetic.
    return torch::addcmul(x * angles.cos, x.roll(x.size(-1) / 2, -1), angles.sin);
}

} // namespace sculpt
