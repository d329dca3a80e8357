#include "runtime/families/gpt2/gpt2.h"

#include "io/checkpoint.h"
#include "runtime/attention.h"
#include "runtime/checkpoint_tensors.h"
#include "runtime/weights.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace sculpt {
namespace {

// A Conv1D layer, its weight stored [in, out], as a Linear [out, in] with its bias; or, in a
// compressed checkpoint, the factors A [out, r] and B [r, in] (weight_a, weight_b).
Linear conv1d(const WeightSource &weights, const std::string &name, int64_t in, int64_t out)
{
    if (std::optional<Linear::Factors> f = weights.factors(name, out, in))
        return Linear::lowRank(f->a, f->b, std::nullopt, weights.tensor(name + ".bias", {out}, Init::zeros()));
    // The weight first: a wrong width shows there, under the name a user recognises.
    torch::Tensor weight = weights.tensor(name + ".weight", {in, out}, Init::weight()).t().contiguous();
    return Linear::dense(std::move(weight), weights.tensor(name + ".bias", {out}, Init::zeros()));
}

} // namespace

std::string gpt2NamePrefix(const Checkpoint &checkpoint)
{
    return checkpoint.find("transformer.wte.weight") ? "transformer." : "";
}

Gpt2::Gpt2(const WeightSource &weights, const Gpt2Config &config, std::string prefix)
    : config_(config), device_(weights.device()), prefix_(std::move(prefix))
{
    const int64_t d = config.dim, h = config.hiddenDim;
    const auto norm = [&](const std::string &name) {
        return LayerNorm{weights.tensor(name + ".weight", {d}, Init::ones()),
                         weights.tensor(name + ".bias", {d}, Init::zeros())};
    };
    tokenEmbedding_ = weights.tensor(prefix_ + "wte.weight", {config.vocab, d}, Init::weight());
    positionEmbedding_ = weights.tensor(prefix_ + "wpe.weight", {config.contextLength, d}, Init::weight());
    for (int64_t l = 0; l < config.layers; ++l) {
        const std::string p = blockPrefix(size_t(l));
        LayerNorm ln1 = norm(p + "ln_1"), ln2 = norm(p + "ln_2");
        Linear qkv = conv1d(weights, p + "attn.c_attn", d, 3 * d), out = conv1d(weights, p + "attn.c_proj", d, d);
        Linear up = conv1d(weights, p + "mlp.c_fc", d, h), down = conv1d(weights, p + "mlp.c_proj", h, d);
        blocks_.push_back(Block{ln1, ln2, qkv, out, up, down, {}});
    }
    finalNorm_ = norm(prefix_ + "ln_f");
}

KvCache Gpt2::emptyCache() const
{
    return KvCache::forContext(config_.layers, config_.heads, config_.contextLength, config_.headDim, device_);
}

torch::Tensor Gpt2::norm(const torch::Tensor &x, const LayerNorm &n) const
{
    return torch::layer_norm(x, {config_.dim}, n.weight, n.bias, config_.layerNormEps);
}

torch::Tensor Gpt2::attention(const Block &block, const torch::Tensor &x, const AttentionMask &mask, KvCache *cache,
                              size_t layer) const
{
    const int64_t b = x.size(0), length = x.size(1), start = cache ? cache->length : 0;
    // c_attn's output is q | k | v, each [B, T, dim]; as heads [B, heads, T, headDim].
    const std::vector<torch::Tensor> qkv =
        block.qkv(x).view({b, length, 3, config_.heads, config_.headDim}).permute({2, 0, 3, 1, 4}).unbind(0);
    const torch::Tensor &q = qkv[0];
    torch::Tensor k = qkv[1], v = qkv[2];
    if (cache) {
        cache->keys[layer].narrow(1, start, length).copy_(k[0]);
        cache->values[layer].narrow(1, start, length).copy_(v[0]);
        k = cache->keys[layer].narrow(1, 0, start + length).unsqueeze(0);
        v = cache->values[layer].narrow(1, 0, start + length).unsqueeze(0);
    }
    return block.out(attend(q, k, v, mask, 1 / std::sqrt(double(config_.headDim)), block.headGate));
}

torch::Tensor Gpt2::blocks(torch::Tensor x, const AttentionMask &mask, KvCache *cache,
                           const std::vector<int64_t> &hiddenAfter, std::vector<torch::Tensor> *hidden) const
{
    std::map<int64_t, torch::Tensor> kept;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const Block &block = blocks_[l];
        x = x + attention(block, norm(x, block.attentionNorm), mask, cache, l);
        x = x + block.down(torch::gelu(block.up(norm(x, block.mlpNorm)), "tanh"));
        if (std::find(hiddenAfter.begin(), hiddenAfter.end(), int64_t(l)) != hiddenAfter.end())
            kept[int64_t(l)] = x;
    }
    if (hidden)
        for (const int64_t l : hiddenAfter)
            hidden->push_back(kept.at(l));
    return torch::matmul(norm(x, finalNorm_), tokenEmbedding_.t());
}

ModelOutput Gpt2::forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter) const
{
    const int64_t b = input.tokens.size(0), t = input.tokens.size(1);
    const bool packed = input.documents.defined();
    const torch::Tensor positions =
        packed ? documentPositions(input.documents) : torch::arange(t, input.tokens.options()).expand({b, t});
    const AttentionMask mask = packed ? documentMask(input.documents, config_.heads, 1) : causalMask(t, 0, 1, device_);
    const torch::Tensor x = (tokenEmbedding_.index_select(0, input.tokens.reshape({-1})) +
                             positionEmbedding_.index_select(0, positions.reshape({-1})))
                                .view({b, t, config_.dim});
    ModelOutput out;
    out.logits = blocks(x, mask, nullptr, hiddenAfter, &out.hidden);
    return out;
}

torch::Tensor Gpt2::step(const torch::Tensor &tokens, KvCache *cache) const
{
    const int64_t length = tokens.size(0), start = cache ? cache->length : 0;
    const torch::Tensor x = tokenEmbedding_.index_select(0, tokens) + positionEmbedding_.narrow(0, start, length);
    const torch::Tensor logits = blocks(x.unsqueeze(0), causalMask(length, start, 1, device_), cache, {}, nullptr);
    if (cache)
        cache->length += length;
    return logits.squeeze(0);
}

std::vector<LinearSite> Gpt2::linearSites()
{
    std::vector<LinearSite> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        Block &b = blocks_[l];
        for (auto [name, role, linear] : {std::tuple{"attn.c_attn", "qkv", &b.qkv}, {"attn.c_proj", "o", &b.out},
                                          {"mlp.c_fc", "fc1", &b.up}, {"mlp.c_proj", "fc2", &b.down}})
            all.push_back({blockPrefix(l) + name, role, int64_t(l), linear});
    }
    return all;
}

std::vector<AttentionSite> Gpt2::attentionSites()
{
    std::vector<AttentionSite> all;
    for (size_t l = 0; l < blocks_.size(); ++l)
        all.push_back({int64_t(l), config_.heads, config_.heads, config_.headDim, {blockPrefix(l) + "attn.c_attn"},
                       blockPrefix(l) + "attn.c_proj", &blocks_[l].headGate});
    return all;
}

std::vector<std::pair<std::string, const Gpt2::LayerNorm *>> Gpt2::norms() const
{
    std::vector<std::pair<std::string, const LayerNorm *>> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        all.emplace_back(blockPrefix(l) + "ln_1", &blocks_[l].attentionNorm);
        all.emplace_back(blockPrefix(l) + "ln_2", &blocks_[l].mlpNorm);
    }
    all.emplace_back(prefix_ + "ln_f", &finalNorm_);
    return all;
}

std::vector<std::pair<std::string, torch::Tensor>> Gpt2::parameters()
{
    NamedTensors all{{prefix_ + "wte.weight", tokenEmbedding_}, {prefix_ + "wpe.weight", positionEmbedding_}};
    for (const auto &[name, n] : norms()) {
        all.emplace_back(name + ".weight", n->weight);
        all.emplace_back(name + ".bias", n->bias);
    }
    for (const LinearSite &site : linearSites())
        for (auto &named : site.linear->parameters(site.name))
            all.push_back(std::move(named));
    return all;
}

std::string Gpt2::hfConfigJson() const { return sculpt::hfConfigJson(config_); }

std::vector<std::pair<std::string, torch::Tensor>> Gpt2::checkpointTensors(bool factorized)
{
    NamedTensors all{{prefix_ + "wte.weight", tokenEmbedding_}, {prefix_ + "wpe.weight", positionEmbedding_}};
    for (const auto &[name, n] : norms()) {
        all.emplace_back(name + ".weight", n->weight);
        all.emplace_back(name + ".bias", n->bias);
    }
    for (const LinearSite &site : linearSites())
        appendLinear(all, site.name, *site.linear, factorized, /*transposed=*/true); // Conv1D
    return all;
}

} // namespace sculpt
