#include "runtime/vit.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "tensor/torch_bridge.h"

#include <regex>
#include <unordered_map>

namespace sculpt {
namespace {

// A layer's name pattern with "{L}" replaced by the block index.
std::string layerName(std::string pattern, int64_t layer)
{
    if (const size_t at = pattern.find("{L}"); at != std::string::npos)
        pattern.replace(at, 3, std::to_string(layer));
    return pattern;
}

} // namespace

// The checkpoint's tensors under the names the config looks for (their stored names after
// the config's renames), copied out as float32 once checked against the shape the config
// implies.
class Vit::Weights {
public:
    Weights(const Checkpoint &checkpoint, const VitConfig &config, torch::Device device)
        : checkpoint_(checkpoint), device_(device), renamed_(!config.renames.empty())
    {
        std::vector<std::pair<std::regex, std::string>> renames;
        for (const auto &[pattern, replacement] : config.renames)
            renames.emplace_back(std::regex(pattern), replacement);
        for (const TensorInfo &t : checkpoint.tensors()) {
            std::string name = t.name;
            for (const auto &[pattern, replacement] : renames)
                name = std::regex_replace(name, pattern, replacement);
            if (const auto [it, added] = byName_.emplace(name, &t); !added)
                throw FileError(checkpoint.path(), "the renames map both " + it->second->name + " and " + t.name +
                                                       " to " + name);
        }
    }

    const TensorInfo *find(const std::string &name) const
    {
        const auto it = byName_.find(name);
        return it == byName_.end() ? nullptr : it->second;
    }

    torch::Tensor tensor(const std::string &name, const std::vector<int64_t> &shape) const
    {
        const TensorInfo *info = find(name);
        if (!info || info->shape != shape)
            throw FileError(checkpoint_.path(),
                            name + ": the config implies " + shapeText(shape) + " but the file has " +
                                (info ? shapeText(info->shape) : "no such tensor") +
                                (renamed_ && !info ? " (names as the renames leave them)" : ""));
        // copy=true: a float32 tensor would otherwise stay a view of the read-only mapping.
        torch::Tensor t = storedTensor(checkpoint_, *info).to(device_, torch::kFloat32, false, true).contiguous();
        checkpoint_.release(*info);
        return t;
    }

    Linear linear(const std::string &module, int64_t out, int64_t in, bool bias = true) const
    {
        // The weight before the bias, so a wrong width is reported on the weight.
        torch::Tensor weight = tensor(module + ".weight", {out, in});
        return Linear::dense(std::move(weight), bias ? std::optional(tensor(module + ".bias", {out})) : std::nullopt);
    }

    // The patch embedding as the linear layer it is: a convolution whose stride is its kernel
    // size applies one matrix to each flattened patch, the kernel flattened as c p1 p2.
    Linear patchEmbedding(const VitConfig &c) const
    {
        const std::string name = c.names.patchEmbedding + ".weight";
        const int64_t in = c.channels * c.patchSize * c.patchSize;
        torch::Tensor matrix;
        if (const TensorInfo *info = find(name); info && info->shape.size() == 4) {
            if (c.patchOrder != std::array{PatchAxis::Channel, PatchAxis::Row, PatchAxis::Column})
                throw FileError(checkpoint_.path(), name + " is a convolution kernel, which reads a patch as c p1 p2, "
                                                           "but patch_flatten says otherwise");
            matrix = tensor(name, {c.dim, c.channels, c.patchSize, c.patchSize}).reshape({c.dim, in});
        } else {
            matrix = tensor(name, {c.dim, in});
        }
        return Linear::dense(matrix, tensor(c.names.patchEmbedding + ".bias", {c.dim}));
    }

private:
    const Checkpoint &checkpoint_;
    torch::Device device_;
    bool renamed_;
    std::unordered_map<std::string, const TensorInfo *> byName_;
};

Vit::Vit(const Checkpoint &checkpoint, const VitConfig &config, torch::Device device)
    : Vit(Weights(checkpoint, config, device), config)
{
}

Vit::Vit(const Weights &weights, const VitConfig &config)
    : config_(config), patchEmbedding_(weights.patchEmbedding(config))
{
    const VitTensorNames &n = config.names;
    const int64_t d = config.dim, h = config.hiddenDim;
    const auto norm = [&](const std::string &module) {
        return Norm{weights.tensor(module + ".weight", {d}), weights.tensor(module + ".bias", {d})};
    };
    clsToken_ = weights.tensor(n.clsToken, {1, 1, d});
    positions_ = weights.tensor(n.positionEmbedding, {1, config.patches() + 1, d});
    for (int64_t l = 0; l < config.layers; ++l) {
        const auto name = [&](const std::string &pattern) { return layerName(pattern, l); };
        std::vector<Linear> qkv;
        if (!n.qkv.empty())
            qkv.push_back(weights.linear(name(n.qkv), 3 * d, d, config.qkvBias));
        else
            for (const std::string *projection : {&n.query, &n.key, &n.value})
                qkv.push_back(weights.linear(name(*projection), d, d, config.qkvBias));
        blocks_.push_back(Block{norm(name(n.attentionNorm)), norm(name(n.mlpNorm)), std::move(qkv),
                                weights.linear(name(n.attentionOutput), d, d), weights.linear(name(n.mlpIn), h, d),
                                weights.linear(name(n.mlpOut), d, h)});
    }
    if (config.finalNorm)
        finalNorm_ = norm(n.finalNorm);
    if (config.classifierHidden > 0) {
        head_.push_back(weights.linear(n.classifierHidden, config.classifierHidden, d));
        head_.push_back(weights.linear(n.classifier, config.labels, config.classifierHidden));
    } else {
        head_.push_back(weights.linear(n.classifier, config.labels, d));
    }
}

torch::Tensor Vit::norm(const Norm &n, const torch::Tensor &x) const
{
    return torch::layer_norm(x, {config_.dim}, n.weight, n.bias, config_.layerNormEps);
}

torch::Tensor Vit::activate(const torch::Tensor &x) const
{
    switch (config_.activation) {
    case VitActivation::Gelu:
        return torch::gelu(x);
    case VitActivation::GeluTanh:
        return torch::gelu(x, "tanh");
    case VitActivation::Relu:
        return torch::relu(x);
    }
    return x;
}

torch::Tensor Vit::patches(const torch::Tensor &pixels) const
{
    // [B, C, grid·p, grid·p] viewed as [B, C, gridRow, p1, gridCol, p2]: the grid runs
    // row-major (both HF's conv and einops' "(h w)"), each patch flattened in config order.
    const int64_t b = pixels.size(0), c = config_.channels, g = config_.gridSize(), p = config_.patchSize;
    const auto dim = [](PatchAxis axis) -> int64_t {
        return axis == PatchAxis::Channel ? 1 : axis == PatchAxis::Row ? 3 : 5;
    };
    const auto &order = config_.patchOrder;
    return pixels.reshape({b, c, g, p, g, p})
        .permute({0, 2, 4, dim(order[0]), dim(order[1]), dim(order[2])})
        .reshape({b, g * g, c * p * p});
}

torch::Tensor Vit::attention(const Block &block, const torch::Tensor &x) const
{
    const int64_t b = x.size(0), t = x.size(1), h = config_.heads, d = config_.headDim();
    torch::Tensor q, k, v; // each [B, heads, T, headDim]
    if (block.qkv.size() == 1) {
        const torch::Tensor fused = block.qkv[0](x);
        const torch::Tensor split = config_.qkvLayout == QkvLayout::ThreeHeadsDim
                                        ? fused.view({b, t, 3, h, d}).permute({2, 0, 3, 1, 4})
                                        : fused.view({b, t, h, 3, d}).permute({3, 0, 2, 1, 4});
        q = split[0], k = split[1], v = split[2];
    } else {
        const auto heads = [&](const torch::Tensor &y) { return y.view({b, t, h, d}).transpose(1, 2); };
        q = heads(block.qkv[0](x)), k = heads(block.qkv[1](x)), v = heads(block.qkv[2](x));
    }
    const torch::Tensor weights = (torch::matmul(q, k.transpose(-2, -1)) * config_.attentionScale).softmax(-1);
    return block.output(torch::matmul(weights, v).transpose(1, 2).reshape({b, t, config_.dim}));
}

torch::Tensor Vit::forward(const torch::Tensor &pixels) const
{
    const int64_t b = pixels.size(0);
    torch::Tensor x = patchEmbedding_(patches(pixels));
    x = torch::cat({clsToken_.expand({b, 1, config_.dim}), x}, 1) + positions_;
    for (const Block &block : blocks_) {
        x = x + attention(block, norm(block.attentionNorm, x));
        x = x + block.mlpOut(activate(block.mlpIn(norm(block.mlpNorm, x))));
    }
    // Only the class token reaches the head; LayerNorm works per token, so normalising it
    // alone is the same as normalising all of them first.
    torch::Tensor y = x.select(1, 0);
    if (config_.finalNorm)
        y = norm(finalNorm_, y);
    for (size_t i = 0; i < head_.size(); ++i)
        y = i + 1 < head_.size() ? activate(head_[i](y)) : head_[i](y);
    return y;
}

} // namespace sculpt
