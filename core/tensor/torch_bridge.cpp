#include "tensor/torch_bridge.h"

#include "io/error.h"
#include "io/safetensors.h"

namespace sculpt {
namespace {

std::optional<torch::ScalarType> torchType(DType t)
{
    switch (t) {
    case DType::F64: return torch::kFloat64;
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::I16: return torch::kInt16;
    case DType::I8: return torch::kInt8;
    case DType::U8: return torch::kUInt8;
    case DType::BOOL: return torch::kBool;
    default: return std::nullopt;
    }
}

std::vector<int64_t> contiguousStrides(const std::vector<int64_t> &shape)
{
    std::vector<int64_t> strides(shape.size(), 1);
    for (size_t i = shape.size(); i-- > 1;)
        strides[i - 1] = strides[i] * shape[i];
    return strides;
}

} // namespace

torch::Tensor storedTensor(const Checkpoint &checkpoint, const TensorInfo &tensor)
{
    const auto type = torchType(tensor.dtype);
    if (!type)
        throw FileError(checkpoint.path(), tensor.name + ": dtype " + std::string(dtypeName(tensor.dtype)) +
                                               " has no torch equivalent");
    const auto bytes = checkpoint.bytes(tensor);
    const auto strides = tensor.strides.empty() ? contiguousStrides(tensor.shape) : tensor.strides;
    // from_blob never frees or writes; the Checkpoint keeps the mapping alive.
    return torch::from_blob(const_cast<std::byte *>(bytes.data()), tensor.shape, strides,
                            torch::TensorOptions().dtype(*type));
}

torch::Tensor matrixTensor(const Checkpoint &checkpoint, const Weight &weight, torch::Device device)
{
    if (!weight.matrix)
        throw FileError(checkpoint.path(), weight.name + " is not analysable as a matrix");
    const TensorInfo &tensor = checkpoint.at(weight.name);
    torch::Tensor stored;
    if (torchType(tensor.dtype)) {
        stored = storedTensor(checkpoint, tensor).to(torch::kFloat32);
    } else { // ggml quants: dequantise on the CPU first
        auto values = checkpoint.toFloat32(tensor);
        stored = torch::from_blob(values.data(), tensor.shape, torch::kFloat32).clone();
    }
    if (weight.transposed)
        stored = stored.t();
    // contiguous() also copies away from the read-only mapping when to() did not.
    return stored.reshape({weight.matrix->rows, weight.matrix->cols}).to(device).contiguous().clone();
}

void writeFloatSafetensors(const std::string &path, std::vector<std::pair<std::string, torch::Tensor>> tensors,
                           const std::map<std::string, std::string> &metadata)
{
    std::vector<TensorToWrite> toWrite;
    for (auto &[name, tensor] : tensors) {
        // Replaced in place: the vector owns the bytes the writer reads.
        tensor = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        toWrite.push_back({name, DType::F32, tensor.sizes().vec(),
                           std::span(static_cast<const std::byte *>(tensor.data_ptr()), size_t(tensor.nbytes()))});
    }
    writeSafetensors(path, toWrite, metadata);
}

} // namespace sculpt
