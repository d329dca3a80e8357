#include "runtime/linear.h"

#include "runtime/adapter.h"
#include "runtime/mac_count.h"

#include <stdexcept>

namespace sculpt {
namespace {

void require(bool condition, const char *what)
{
    if (!condition)
        throw std::invalid_argument(std::string("Linear: ") + what);
}

} // namespace

Linear Linear::dense(torch::Tensor weight, std::optional<torch::Tensor> bias)
{
    require(weight.dim() == 2, "the weight must be [out, in]");
    require(!bias || (bias->dim() == 1 && bias->size(0) == weight.size(0)), "the bias must be [out]");
    Linear l;
    l.outer_ = std::move(weight);
    l.bias_ = bias.value_or(torch::Tensor());
    return l;
}

Linear Linear::lowRank(torch::Tensor a, torch::Tensor b, std::optional<torch::Tensor> scale,
                       std::optional<torch::Tensor> bias)
{
    require(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0), "the factors must be A [out, r] and B [r, in]");
    require(!scale || (scale->dim() == 1 && scale->size(0) == a.size(1)), "the scale must be [r]");
    require(!bias || (bias->dim() == 1 && bias->size(0) == a.size(0)), "the bias must be [out]");
    Linear l;
    l.outer_ = std::move(a);
    l.inner_ = std::move(b);
    l.scale_ = scale.value_or(torch::Tensor());
    l.bias_ = bias.value_or(torch::Tensor());
    return l;
}

void Linear::setDenseWeight(torch::Tensor weight)
{
    require(weight.dim() == 2 && weight.size(0) == outFeatures() && weight.size(1) == inFeatures(),
            "a new weight must have the layer's shape [out, in]");
    outer_ = std::move(weight);
    inner_ = torch::Tensor();
    scale_ = torch::Tensor();
}

int64_t Linear::inFeatures() const { return isLowRank() ? inner_.size(1) : outer_.size(1); }

int64_t Linear::macsPerRow() const
{
    return isLowRank() ? inner_.size(0) * (inFeatures() + outFeatures()) : inFeatures() * outFeatures();
}

Linear Linear::keepOutputs(const torch::Tensor &rows) const
{
    require(adapters_.empty(), "merge or detach the adapters before removing outputs");
    Linear l = *this;
    l.outer_ = outer_.index_select(0, rows);
    if (bias_.defined())
        l.bias_ = bias_.index_select(0, rows);
    return l;
}

Linear Linear::keepInputs(const torch::Tensor &columns) const
{
    require(adapters_.empty(), "merge or detach the adapters before removing inputs");
    Linear l = *this;
    torch::Tensor &reads = isLowRank() ? l.inner_ : l.outer_;
    reads = reads.index_select(1, columns);
    return l;
}

torch::Tensor Linear::weight() const
{
    if (!isLowRank())
        return outer_;
    return torch::matmul(scale_.defined() ? outer_ * scale_ : outer_, inner_);
}

Linear::Factors Linear::factors() const
{
    require(isLowRank(), "a dense layer has no factors");
    return {scale_.defined() ? outer_ * scale_ : outer_, inner_};
}

std::vector<std::pair<std::string, torch::Tensor>> Linear::parameters(const std::string &name) const
{
    std::vector<std::pair<std::string, torch::Tensor>> all;
    const std::pair<const char *, const torch::Tensor *> named[] = {
        {isLowRank() ? ".weight_a" : ".weight", &outer_}, {".weight_b", &inner_}, {".scale", &scale_}, {".bias", &bias_}};
    for (const auto &[suffix, t] : named)
        if (t->defined())
            all.emplace_back(name + suffix, *t);
    for (const auto &adapter : adapters_)
        for (auto &[suffix, t] : adapter->parameters())
            all.emplace_back(name + "." + suffix, t);
    return all;
}

torch::Tensor Linear::operator()(const torch::Tensor &x) const
{
    if (observer_)
        observer_(x);
    torch::Tensor y;
    // The inputs x holds, counted from its leading sizes: its last may be 0 (every head pruned).
    int64_t rows = 1;
    for (int64_t d = 0; d + 1 < x.dim(); ++d)
        rows *= x.size(d);
    if (!isLowRank()) {
        MacCount::add(rows * outer_.numel());
        y = torch::linear(x, outer_, bias_);
    } else {
        MacCount::add(rows * (inner_.numel() + outer_.numel()));
        torch::Tensor h = torch::linear(x, inner_);
        if (scale_.defined())
            h = h * scale_;
        y = torch::linear(h, outer_, bias_);
    }
    for (const auto &adapter : adapters_)
        y = y + (*adapter)(x);
    return y;
}

} // namespace sculpt
