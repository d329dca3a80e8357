#include "runtime/families/vit/vit.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "runtime/adapter.h"
#include "runtime/attention.h"
#include "runtime/checkpoint_tensors.h"
#include "runtime/weights.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace sculpt {
namespace {

bool convolutionOrder(const VitConfig &c)
{
    return c.patchOrder == std::array{PatchAxis::Channel, PatchAxis::Row, PatchAxis::Column};
}

// The patch embedding as the linear layer it is: a convolution whose stride is its kernel size
// applies one matrix to each flattened patch, the kernel flattened as c p1 p2.
Linear patchEmbedding(const WeightSource &weights, const VitConfig &c)
{
    const std::string name = c.names.patchEmbedding + ".weight";
    const int64_t in = c.channels * c.patchSize * c.patchSize;
    torch::Tensor matrix;
    const CheckpointWeights *checkpoint = weights.checkpointOf(name);
    if (const TensorInfo *info = checkpoint ? checkpoint->find(name) : nullptr; info && info->shape.size() == 4) {
        if (!convolutionOrder(c))
            throw FileError(checkpoint->checkpoint().path(),
                            name + " is a convolution kernel, which reads a patch as c p1 p2, but patch_flatten says otherwise");
        matrix = weights.tensor(name, {c.dim, c.channels, c.patchSize, c.patchSize}, {}).reshape({c.dim, in});
    } else {
        matrix = weights.tensor(name, {c.dim, in}, Init::weight());
    }
    if (!c.patchBias)
        return Linear::dense(matrix);
    return Linear::dense(matrix, weights.tensor(c.names.patchEmbedding + ".bias", {c.dim}, Init::zeros()));
}

} // namespace

Vit::Vit(const WeightSource &weights, const VitConfig &config)
    : config_(config),
      format_{config.imageSize, config.channels, config.rescale, config.mean, config.std},
      device_(weights.device()),
      patchEmbedding_(patchEmbedding(weights, config))
{
    const VitTensorNames &n = config.names;
    const int64_t d = config.dim, h = config.hiddenDim;
    const Init normal = Init::weight();
    const auto norm = [&](const std::string &module) {
        return Norm{weights.tensor(module + ".weight", {d}, Init::ones()), weights.tensor(module + ".bias", {d}, Init::zeros())};
    };
    // Held as [1, 1, dim] and [1, tokens, dim] whichever way they are stored.
    const int64_t tokens = config.tokens();
    const bool modules = config.embeddingModules;
    if (config.classToken())
        clsToken_ = weights.tensor(n.clsToken, modules ? std::vector{d} : std::vector<int64_t>{1, 1, d}, normal).reshape({1, 1, d});
    positions_ = weights.tensor(n.positionEmbedding, modules ? std::vector{tokens, d} : std::vector{int64_t(1), tokens, d}, normal)
                     .reshape({1, tokens, d});
    if (!n.preNorm.empty())
        preNorm_ = norm(n.preNorm);
    for (int64_t l = 0; l < config.layers; ++l) {
        const auto name = [&](const std::string &pattern) { return layerName(pattern, l); };
        // Heads removed earlier (pruned_heads) are absent from the weights: a block's
        // projections hold only its own heads' rows and columns.
        std::vector<int64_t> heads;
        for (int64_t head = 0; head < config.heads; ++head)
            if (config.prunedHeads.empty() || !std::ranges::binary_search(config.prunedHeads[size_t(l)], head))
                heads.push_back(head);
        const int64_t width = int64_t(heads.size()) * config.headDim();
        Norm attentionNorm = norm(name(n.attentionNorm));
        std::vector<Linear> qkv;
        if (!n.qkv.empty())
            qkv.push_back(weights.linear(name(n.qkv), 3 * width, d, config.qkvBias, normal));
        else
            for (const std::string *projection : {&n.query, &n.key, &n.value})
                qkv.push_back(weights.linear(name(*projection), width, d, config.qkvBias, normal));
        Linear output = weights.linear(name(n.attentionOutput), d, width, true, normal);
        Norm mlpNorm = norm(name(n.mlpNorm));
        Linear mlpIn = weights.linear(name(n.mlpIn), h, d, true, normal);
        Linear mlpOut = weights.linear(name(n.mlpOut), d, h, true, normal);
        blocks_.push_back(Block{attentionNorm, mlpNorm, std::move(qkv), output, mlpIn, mlpOut, {}, {}, std::move(heads)});
    }
    if (config.finalNorm)
        finalNorm_ = norm(n.finalNorm);
    if (config.labels > 0 && config.classifierHidden > 0) { // none for a vision tower
        head_.push_back(weights.linear(n.classifierHidden, config.classifierHidden, d, true, normal));
        head_.push_back(weights.linear(n.classifier, config.labels, config.classifierHidden, true, normal));
    } else if (config.labels > 0) {
        head_.push_back(weights.linear(n.classifier, config.labels, d, true, normal));
    }
}

torch::Tensor Vit::norm(const Norm &n, const torch::Tensor &x) const
{
    return torch::layer_norm(x, {config_.dim}, n.weight, n.bias, config_.layerNormEps);
}

torch::Tensor Vit::activate(const torch::Tensor &x) const { return applyActivation(config_.activation, x); }

torch::Tensor applyActivation(VitActivation activation, const torch::Tensor &x)
{
    switch (activation) {
    case VitActivation::Gelu:
        return torch::gelu(x);
    case VitActivation::GeluTanh:
        return torch::gelu(x, "tanh");
    case VitActivation::QuickGelu:
        return x * torch::sigmoid(1.702 * x);
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
    const int64_t b = x.size(0), t = x.size(1), h = int64_t(block.heads.size()), d = config_.headDim();
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
    return block.output(attend(q, k, v, {}, config_.attentionScale, block.headGate));
}

torch::Tensor Vit::embed(const torch::Tensor &pixels) const
{
    const int64_t b = pixels.size(0);
    torch::Tensor x = patchEmbedding_(patches(pixels));
    if (clsToken_.defined())
        x = torch::cat({clsToken_.expand({b, 1, config_.dim}), x}, 1);
    x = x + positions_;
    return preNorm_.weight.defined() ? norm(preNorm_, x) : x;
}

torch::Tensor Vit::runBlock(size_t layer, const torch::Tensor &input) const
{
    const Block &block = blocks_[layer];
    const torch::Tensor x = input + attention(block, norm(block.attentionNorm, input));
    torch::Tensor added = block.mlpOut(activate(block.mlpIn(norm(block.mlpNorm, x))));
    for (const auto &adapter : block.mlpAdapters)
        added = added + (*adapter)(x);
    return x + added;
}

torch::Tensor Vit::hiddenAfter(const torch::Tensor &pixels, int64_t layer) const
{
    if (layer < 0 || layer >= int64_t(blocks_.size()))
        throw std::invalid_argument("the tower has no block " + std::to_string(layer));
    torch::Tensor x = embed(pixels);
    for (size_t l = 0; l <= size_t(layer); ++l)
        x = runBlock(l, x);
    return x;
}

ModelOutput Vit::forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter) const
{
    torch::Tensor x = embed(input.pixels);
    std::map<int64_t, torch::Tensor> kept;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        x = runBlock(l, x);
        if (std::find(hiddenAfter.begin(), hiddenAfter.end(), int64_t(l)) != hiddenAfter.end())
            kept[int64_t(l)] = x;
    }
    ModelOutput out;
    for (const int64_t l : hiddenAfter)
        out.hidden.push_back(kept.at(l));
    if (head_.empty()) { // a tower's output: every token's last hidden state
        out.logits = config_.finalNorm ? norm(finalNorm_, x) : x;
        return out;
    }
    // Only the class token reaches the head; LayerNorm works per token, so normalising it
    // alone is the same as normalising all of them first.
    torch::Tensor y = x.select(1, 0);
    if (config_.finalNorm)
        y = norm(finalNorm_, y);
    for (size_t i = 0; i < head_.size(); ++i)
        y = i + 1 < head_.size() ? activate(head_[i](y)) : head_[i](y);
    out.logits = y;
    return out;
}

std::vector<LinearSite> Vit::linearSites()
{
    const VitTensorNames &n = config_.names;
    std::vector<LinearSite> all{{n.patchEmbedding, "conv", -1, &patchEmbedding_}};
    for (size_t l = 0; l < blocks_.size(); ++l) {
        Block &b = blocks_[l];
        const auto name = [&](const std::string &pattern) { return layerName(pattern, int64_t(l)); };
        if (b.qkv.size() == 1)
            all.push_back({name(n.qkv), "qkv", int64_t(l), &b.qkv[0]});
        else
            for (size_t i = 0; i < 3; ++i)
                all.push_back({name(*std::array{&n.query, &n.key, &n.value}[i]), std::array{"q", "k", "v"}[i], int64_t(l),
                               &b.qkv[i]});
        all.push_back({name(n.attentionOutput), "o", int64_t(l), &b.output});
        all.push_back({name(n.mlpIn), "fc1", int64_t(l), &b.mlpIn});
        all.push_back({name(n.mlpOut), "fc2", int64_t(l), &b.mlpOut});
    }
    if (head_.size() == 2)
        all.push_back({n.classifierHidden, "head", -1, &head_[0]});
    if (!head_.empty())
        all.push_back({n.classifier, "head", -1, &head_.back()});
    return all;
}

std::vector<AttentionSite> Vit::attentionSites()
{
    std::vector<AttentionSite> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        VitAttentionLayout a = vitAttentionLayout(config_, int64_t(l));
        all.push_back({a.heads.layer, a.heads.heads, a.heads.kvHeads, a.heads.headDim, std::move(a.inputs),
                       std::move(a.output), &blocks_[l].headGate, a.heads.fusedHeadsFirst});
    }
    return all;
}

void Vit::removeHeads(int64_t layer, const std::vector<int64_t> &heads)
{
    if (layer < 0 || layer >= int64_t(blocks_.size()))
        throw std::invalid_argument("no layer " + std::to_string(layer) + " to remove heads from");
    const AttentionSite site = attentionSites()[size_t(layer)];
    Block &block = blocks_[size_t(layer)];
    std::vector<int64_t> kept;
    for (int64_t head = 0; head < site.heads; ++head)
        if (std::ranges::find(heads, head) == heads.end())
            kept.push_back(head);
    for (const int64_t head : heads)
        headInputRows(site, head); // refuses a head the layer does not have, before any change
    std::vector<std::vector<torch::Tensor>> rows(block.qkv.size());
    std::vector<torch::Tensor> columns;
    for (const int64_t head : kept) {
        const std::vector<torch::Tensor> input = headInputRows(site, head);
        for (size_t i = 0; i < rows.size(); ++i)
            rows[i].push_back(input[i]);
        columns.push_back(headOutputColumns(site, head));
    }
    const auto indices = [](const std::vector<torch::Tensor> &parts) {
        return parts.empty() ? torch::empty({0}, torch::kInt64) : torch::cat(parts);
    };
    std::vector<Linear> qkv;
    for (size_t i = 0; i < rows.size(); ++i)
        qkv.push_back(block.qkv[i].keepOutputs(indices(rows[i])));
    Linear output = block.output.keepInputs(indices(columns));
    block.qkv = std::move(qkv);
    block.output = std::move(output);
    const torch::Tensor keptHeads = torch::tensor(kept, torch::kInt64);
    if (block.headGate.defined())
        block.headGate = block.headGate.index_select(-1, keptHeads.to(block.headGate.device()));
    std::vector<int64_t> original;
    for (const int64_t head : kept)
        original.push_back(block.heads[size_t(head)]);
    block.heads = std::move(original);
    config_.prunedHeads.resize(blocks_.size());
    auto &pruned = config_.prunedHeads[size_t(layer)];
    pruned.clear();
    for (int64_t head = 0; head < config_.heads; ++head)
        if (!std::ranges::binary_search(block.heads, head))
            pruned.push_back(head);
}

std::vector<MlpSite> Vit::mlpSites()
{
    // Named inside the block, beside its own modules: the longest common prefix of the MLP's
    // two projections up to a dot ("vit.encoder.layer.3." for HF's names), then "adapter".
    const std::string &in = config_.names.mlpIn, &out = config_.names.mlpOut;
    size_t common = 0;
    while (common < in.size() && common < out.size() && in[common] == out[common])
        ++common;
    const std::string block = in.substr(0, in.rfind('.', common) + 1);
    std::vector<MlpSite> all;
    for (size_t l = 0; l < blocks_.size(); ++l)
        all.push_back({layerName(block, int64_t(l)) + "adapter", int64_t(l), config_.dim, &blocks_[l].mlpAdapters});
    return all;
}

std::vector<std::pair<std::string, const Vit::Norm *>> Vit::norms() const
{
    std::vector<std::pair<std::string, const Norm *>> all;
    if (preNorm_.weight.defined())
        all.emplace_back(config_.names.preNorm, &preNorm_);
    for (size_t l = 0; l < blocks_.size(); ++l) {
        all.emplace_back(layerName(config_.names.attentionNorm, int64_t(l)), &blocks_[l].attentionNorm);
        all.emplace_back(layerName(config_.names.mlpNorm, int64_t(l)), &blocks_[l].mlpNorm);
    }
    if (config_.finalNorm)
        all.emplace_back(config_.names.finalNorm, &finalNorm_);
    return all;
}

NamedTensors Vit::embeddings() const
{
    NamedTensors all{{config_.names.positionEmbedding, positions_}};
    if (clsToken_.defined())
        all.insert(all.begin(), {config_.names.clsToken, clsToken_});
    return all;
}

std::vector<std::pair<std::string, torch::Tensor>> Vit::parameters()
{
    NamedTensors all = embeddings();
    for (const auto &[name, n] : norms()) {
        all.emplace_back(name + ".weight", n->weight);
        all.emplace_back(name + ".bias", n->bias);
    }
    for (const LinearSite &site : linearSites())
        for (auto &named : site.linear->parameters(site.name))
            all.push_back(std::move(named));
    for (const MlpSite &site : mlpSites())
        for (const auto &adapter : *site.adapters)
            for (auto &[suffix, t] : adapter->parameters())
                all.emplace_back(site.name + "." + suffix, t);
    return all;
}

std::string Vit::hfConfigJson() const { return sculpt::hfConfigJson(config_); }

std::vector<std::pair<std::string, torch::Tensor>> Vit::checkpointTensors(bool factorized)
{
    hfConfigJson(); // refuses a layout Hugging Face's files cannot hold
    return storedTensors(factorized);
}

NamedTensors Vit::storedTensors(bool factorized)
{
    NamedTensors all = embeddings();
    if (config_.embeddingModules) // CLIP's and SigLIP's nn.Parameter and nn.Embedding: no batch axis
        for (auto &[name, tensor] : all)
            tensor = name == config_.names.clsToken ? tensor.reshape({config_.dim}) : tensor.squeeze(0);
    for (const auto &[name, n] : norms()) {
        all.emplace_back(name + ".weight", n->weight);
        all.emplace_back(name + ".bias", n->bias);
    }
    for (const LinearSite &site : linearSites())
        appendLinear(all, site.name, *site.linear, factorized);
    // A dense patch embedding goes back to the convolution kernel HF's ViT stores.
    const std::string patch = config_.names.patchEmbedding + ".weight";
    for (auto &[name, tensor] : all)
        if (name == patch)
            tensor = tensor.reshape({config_.dim, config_.channels, config_.patchSize, config_.patchSize});
    return all;
}

} // namespace sculpt
