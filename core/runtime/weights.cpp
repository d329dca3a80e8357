#include "runtime/weights.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "tensor/torch_bridge.h"

namespace sculpt {

Linear WeightSource::linear(const std::string &name, int64_t out, int64_t in, bool bias, const Init &fresh) const
{
    // The weight before the bias, so a wrong width is reported on the weight.
    std::optional<Linear::Factors> f = factors(name, out, in);
    torch::Tensor weight = f ? torch::Tensor() : tensor(name + ".weight", {out, in}, fresh);
    std::optional<torch::Tensor> b = bias ? std::optional(tensor(name + ".bias", {out}, Init::zeros())) : std::nullopt;
    if (f)
        return Linear::lowRank(f->a, f->b, std::nullopt, std::move(b));
    return Linear::dense(std::move(weight), std::move(b));
}

CheckpointWeights::CheckpointWeights(const Checkpoint &checkpoint, torch::Device device,
                                     const std::vector<std::pair<std::string, std::string>> &renames)
    : WeightSource(device), checkpoint_(checkpoint), tensors_(checkpoint, renames)
{
}

torch::Tensor CheckpointWeights::tensor(const std::string &name, const std::vector<int64_t> &shape, const Init &) const
{
    const TensorInfo *info = find(name);
    if (!info || info->shape != shape)
        throw FileError(checkpoint_.path(), name + ": the config implies " + shapeText(shape) + " but the file has " +
                                                (info ? shapeText(info->shape) : "no such tensor") +
                                                (tensors_.renamed() && !info ? " (names as the renames leave them)" : ""));
    // copy=true: a float32 tensor would otherwise stay a view of the read-only mapping.
    torch::Tensor t = storedTensor(checkpoint_, *info).to(device(), torch::kFloat32, false, true).contiguous();
    checkpoint_.release(*info);
    return t;
}

std::optional<Linear::Factors> CheckpointWeights::factors(const std::string &name, int64_t out, int64_t in) const
{
    const TensorInfo *a = find(name + ".weight_a");
    if (!a || find(name + ".weight") || a->shape.size() != 2)
        return std::nullopt;
    const int64_t rank = a->shape[1];
    return Linear::Factors{tensor(name + ".weight_a", {out, rank}, {}), tensor(name + ".weight_b", {rank, in}, {})};
}

torch::Tensor FreshWeights::tensor(const std::string &, const std::vector<int64_t> &shape, const Init &fresh) const
{
    const auto options = torch::TensorOptions().dtype(torch::kFloat32);
    torch::Tensor t;
    switch (fresh.kind) {
    case Init::Kind::Normal:
        t = torch::randn(shape, options) * fresh.std;
        break;
    case Init::Kind::Ones:
        t = torch::ones(shape, options);
        break;
    case Init::Kind::Zeros:
        t = torch::zeros(shape, options);
        break;
    }
    // Drawn on the CPU: the same seed gives the same model on every device.
    return t.to(device());
}

} // namespace sculpt
