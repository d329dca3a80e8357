#include "runtime/adapter.h"

#include <cmath>
#include <stdexcept>

namespace sculpt {
torch::Tensor kaimingUniform(int64_t out, int64_t in, torch::Device device)
{
    const double bound = 1.0 / std::sqrt(double(in));
    return torch::empty({out, in}, torch::TensorOptions().device(device)).uniform_(-bound, bound);
}

int64_t Adapter::parameterCount() const
{
    int64_t n = 0;
    for (const auto &[name, t] : ownParameters())
        n += t.numel();
    return n;
}

LoraAdapter::LoraAdapter(int64_t in, int64_t out, int64_t rank, double alpha, torch::Device device,
                         std::optional<OutputPart> part)
    : LoraAdapter(kaimingUniform(rank, in, device),
                  torch::zeros({part ? part->rows.numel() : out, rank}, torch::TensorOptions().device(device)), alpha)
{
    if (!part)
        return;
    const torch::Tensor &rows = part->rows;
    if (rows.dim() != 1 || rows.scalar_type() != torch::kInt64 ||
        (rows.numel() > 0 && (rows.min().item<int64_t>() < 0 || rows.max().item<int64_t>() >= out)))
        throw std::invalid_argument("LoRA part '" + part->name + "': its rows must be int64 indices of the layer's " +
                                    std::to_string(out) + " outputs");
    part_ = std::move(part);
    out_ = out;
}

LoraAdapter::LoraAdapter(torch::Tensor a, torch::Tensor b, double alpha) : a_(std::move(a)), b_(std::move(b)), alpha_(alpha)
{
    if (a_.dim() != 2 || b_.dim() != 2 || a_.size(0) != b_.size(1) || a_.size(0) == 0)
        throw std::invalid_argument("LoRA factors must be A [r, in] and B [out, r] with r ≥ 1");
    out_ = b_.size(0);
}

torch::Tensor LoraAdapter::spreadB() const
{
    if (!part_)
        return b_;
    // Made anew each call from B, so autograd carries the gradient back to B's own rows.
    return torch::zeros({out_, rank()}, b_.options()).index_copy(0, part_->rows, b_);
}

torch::Tensor LoraAdapter::operator()(const torch::Tensor &x) const
{
    return torch::linear(torch::linear(x, a_), spreadB()) * (alpha_ / double(rank()));
}

std::vector<std::pair<std::string, torch::Tensor>> LoraAdapter::parameters() const
{
    // A part's names differ from PEFT's, so two parts of one layer never share a name.
    const std::string infix = part_ ? "." + part_->name : "";
    return {{"lora_A" + infix + ".weight", a_}, {"lora_B" + infix + ".weight", b_}};
}

torch::Tensor LoraAdapter::delta() const { return torch::matmul(spreadB(), a_) * (alpha_ / double(rank())); }

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

SharedAdapter::SharedAdapter(std::shared_ptr<Adapter> adapter, torch::Tensor scale)
    : adapter_(std::move(adapter)), scale_(std::move(scale))
{
}

torch::Tensor SharedAdapter::operator()(const torch::Tensor &x) const { return (*adapter_)(x) * scale_; }

std::vector<std::pair<std::string, torch::Tensor>> SharedAdapter::parameters() const
{
    return {{"pear_scale", scale_}};
}

std::optional<torch::Tensor> SharedAdapter::weightUpdate() const
{
    std::optional<torch::Tensor> delta = adapter_->weightUpdate();
    if (delta)
        *delta = *delta * scale_;
    return delta;
}

FrozenAdapter::FrozenAdapter(std::shared_ptr<Adapter> adapter) : adapter_(std::move(adapter))
{
    // Training sets requires_grad only on what it trains: the frozen tensors would keep theirs
    // from before and gather gradients no step uses. Tensors other positions hold too (Lily's
    // model-wide experts) stay theirs to train.
    for (auto &[name, t] : adapter_->ownParameters())
        torch::Tensor(t).requires_grad_(false);
}

torch::Tensor FrozenAdapter::operator()(const torch::Tensor &x) const { return (*adapter_)(x); }

} // namespace sculpt
