#include "runtime/checkpoint_weights.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "tensor/torch_bridge.h"

namespace sculpt {

torch::Tensor loadWeight(const Checkpoint &checkpoint, const std::string &name, const std::vector<int64_t> &shape,
                         torch::Device device)
{
    const TensorInfo *info = checkpoint.find(name);
    if (!info || info->shape != shape)
        throw FileError(checkpoint.path(), name + ": the config implies " + shapeText(shape) + " but the file has " +
                                               (info ? shapeText(info->shape) : "no such tensor"));
    // copy=true: a float32 tensor would otherwise stay a view of the read-only mapping.
    torch::Tensor t = storedTensor(checkpoint, *info).to(device, torch::kFloat32, false, true).contiguous();
    checkpoint.release(*info);
    return t;
}

std::optional<Linear::Factors> loadFactors(const Checkpoint &checkpoint, const std::string &name, int64_t out,
                                           int64_t in, torch::Device device)
{
    const TensorInfo *a = checkpoint.find(name + ".weight_a");
    if (!a || checkpoint.find(name + ".weight") || a->shape.size() != 2)
        return std::nullopt;
    const int64_t rank = a->shape[1];
    return Linear::Factors{loadWeight(checkpoint, name + ".weight_a", {out, rank}, device),
                           loadWeight(checkpoint, name + ".weight_b", {rank, in}, device)};
}

} // namespace sculpt
