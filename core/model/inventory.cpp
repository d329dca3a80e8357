#include "model/inventory.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "model/architecture.h"

#include <algorithm>
#include <array>
#include <set>

namespace sculpt {

std::string_view architectureName(Architecture a)
{
    static constexpr std::array<std::string_view, 8> names{"llama", "gpt2", "vit",  "llava",
                                                           "layout", "bert", "cnn", "generic"};
    return names.at(static_cast<size_t>(a));
}

std::string_view roleName(Role r)
{
    static constexpr std::array<std::string_view, 16> names{"q",     "k",    "v",    "qkv",  "o",          "gate",
                                                            "up",    "down", "fc1",  "fc2",  "embed",      "head",
                                                            "norm",  "conv", "modulation", "other"};
    return names.at(static_cast<size_t>(r));
}

std::vector<int> ModelInventory::blocks() const
{
    std::set<int> distinct;
    for (const auto &w : weights)
        if (w.block >= 0)
            distinct.insert(w.block);
    return {distinct.begin(), distinct.end()};
}

namespace {

bool endsWith(const std::string &s, std::string_view suffix) { return s.ends_with(suffix); }

std::string siblingName(const std::string &name, std::string_view leaf)
{
    const auto dot = name.rfind('.');
    return (dot == std::string::npos ? std::string() : name.substr(0, dot + 1)) + std::string(leaf);
}

Role refineRole(Role role, const TensorInfo &t, const Checkpoint &checkpoint)
{
    // A ViT's patch embedding is named an embedding but is a convolution: a matrix
    // [out, in·kh·kw], as the runtime's linear site has it.
    if (role == Role::Embed && t.shape.size() == 4 && endsWith(t.name, "weight"))
        return Role::Conv;
    if (role != Role::Other)
        return role;
    if (t.shape.size() >= 3 && t.shape.size() <= 5 && endsWith(t.name, "weight"))
        return Role::Conv;
    // BatchNorm's affine weight is named like any other; its running statistics give it away.
    if (t.shape.size() == 1 && checkpoint.find(siblingName(t.name, "running_mean")))
        return Role::Norm;
    return role;
}

std::optional<MatrixShape> matrixOf(const Weight &w, const TensorInfo &t)
{
    if (!dtypeInfo(t.dtype).toFloat32 || t.dtype == DType::BOOL)
        return std::nullopt;
    if (w.shape.size() == 2 && w.shape[0] >= 2 && w.shape[1] >= 2)
        return MatrixShape{w.shape[0], w.shape[1]};
    if (w.role == Role::Conv) {
        int64_t cols = 1;
        for (size_t i = 1; i < w.shape.size(); ++i)
            cols *= w.shape[i];
        if (w.shape[0] >= 2 && cols >= 2)
            return MatrixShape{w.shape[0], cols};
    }
    return std::nullopt;
}

// GPT-2 keeps its projections in Conv1D modules that store [in, out].
bool storedTransposed(Architecture arch, const Weight &w)
{
    if (arch != Architecture::Gpt2 || w.shape.size() != 2 || !endsWith(w.name, ".weight"))
        return false;
    for (std::string_view conv1d : {".c_attn.", ".c_proj.", ".c_fc."})
        if (w.name.find(conv1d) != std::string::npos)
            return true;
    return false;
}

} // namespace

ModelInventory buildInventory(const Checkpoint &checkpoint)
{
    ModelInventory inventory;
    inventory.architecture = detectArchitecture(checkpoint);
    for (const auto &t : checkpoint.tensors()) {
        Weight w;
        w.name = t.name;
        w.block = blockIndexOf(t.name);
        w.role = refineRole(roleFromName(t.name), t, checkpoint);
        w.shape = t.shape;
        w.transposed = storedTransposed(inventory.architecture, w);
        if (w.transposed)
            std::swap(w.shape[0], w.shape[1]);
        w.matrix = matrixOf(w, t);
        inventory.weights.push_back(std::move(w));
    }
    // A CNN's classifier has no telling name ("layers.13.weight"): it is the last linear layer.
    if (inventory.architecture == Architecture::Cnn) {
        const auto last = std::find_if(inventory.weights.rbegin(), inventory.weights.rend(),
                                       [](const Weight &w) { return w.matrix && w.shape.size() == 2; });
        if (last != inventory.weights.rend() && last->role == Role::Other)
            last->role = Role::Head;
    }
    return inventory;
}

std::vector<float> readMatrix(const Checkpoint &checkpoint, const Weight &weight)
{
    if (!weight.matrix)
        throw FileError(checkpoint.path(), weight.name + " is not analysable as a matrix");
    std::vector<float> values = checkpoint.toFloat32(checkpoint.at(weight.name));
    if (!weight.transposed)
        return values; // row-major [out, in…] already, conv kernels flatten in place
    const auto rows = static_cast<size_t>(weight.matrix->rows), cols = static_cast<size_t>(weight.matrix->cols);
    std::vector<float> out(values.size());
    for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < cols; ++c)
            out[r * cols + c] = values[c * rows + r];
    return out;
}

} // namespace sculpt
