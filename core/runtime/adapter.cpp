#include "runtime/adapter.h"

#include <cmath>
#include <stdexcept>

namespace sculpt {
namespace {

// nn.Linear's default (Kaiming-uniform with a = √5): U(−1/√in, 1/√in), what PEFT gives lora_A.
torch::Tensor kaimingUniform(int64_t out, int64_t in, torch::Device device)
{
    const double bound = 1.0 / std::sqrt(double(in));
    return torch::empty({out, in}, torch::TensorOptions().device(device)).uniform_(-bound, bound);
}

} // namespace

int64_t Adapter::parameterCount() const
{
    int64_t n = 0;
    for (const auto &[name, t] : parameters())
        n += t.numel();
    return n;
}

LoraAdapter::LoraAdapter(int64_t in, int64_t out, int64_t rank, double alpha, torch::Device device)
    : LoraAdapter(kaimingUniform(rank, in, device), torch::zeros({out, rank}, torch::TensorOptions().device(device)), alpha)
{
}

LoraAdapter::LoraAdapter(torch::Tensor a, torch::Tensor b, double alpha) : a_(std::move(a)), b_(std::move(b)), alpha_(alpha)
{
    if (a_.dim() != 2 || b_.dim() != 2 || a_.size(0) != b_.size(1) || a_.size(0) == 0)
        throw std::invalid_argument("LoRA factors must be A [r, in] and B [out, r] with r ≥ 1");
}

torch::Tensor LoraAdapter::operator()(const torch::Tensor &x) const
{
    return torch::linear(torch::linear(x, a_), b_) * (alpha_ / double(rank()));
}

std::vector<std::pair<std::string, torch::Tensor>> LoraAdapter::parameters() const
{
    return {{"lora_A.weight", a_}, {"lora_B.weight", b_}};
}

torch::Tensor LoraAdapter::delta() const { return torch::matmul(b_, a_) * (alpha_ / double(rank())); }

BottleneckAdapter::BottleneckAdapter(int64_t dim, int64_t width, double scale, torch::Device device)
    : downWeight_(kaimingUniform(width, dim, device)),
      downBias_(torch::zeros({width}, torch::TensorOptions().device(device))),
      upWeight_(torch::zeros({dim, width}, torch::TensorOptions().device(device))),
      upBias_(torch::zeros({dim}, torch::TensorOptions().device(device))),
      scale_(scale)
{
    if (width < 1)
        throw std::invalid_argument("a bottleneck adapter needs a width of at least 1");
}

torch::Tensor BottleneckAdapter::operator()(const torch::Tensor &x) const
{
    return torch::linear(torch::relu(torch::linear(x, downWeight_, downBias_)), upWeight_, upBias_) * scale_;
}

std::vector<std::pair<std::string, torch::Tensor>> BottleneckAdapter::parameters() const
{
    return {{"down.weight", downWeight_}, {"down.bias", downBias_}, {"up.weight", upWeight_}, {"up.bias", upBias_}};
}

} // namespace sculpt
