#include "runtime/gpt2.h"

#include "io/checkpoint.h"
#include "runtime/checkpoint_weights.h"

#include <cmath>
#include <limits>

namespace sculpt {
namespace {

// A Conv1D layer, its weight stored [in, out], as a Linear [out, in] with its bias; or, in a
// compressed checkpoint, the factors A [out, r] and B [r, in] (weight_a, weight_b).
Linear conv1d(const Checkpoint &checkpoint, const std::string &name, int64_t in, int64_t out, torch::Device device)
{
    if (std::optional<Linear::Factors> f = loadFactors(checkpoint, name, out, in, device))
        return Linear::lowRank(f->a, f->b, std::nullopt, loadWeight(checkpoint, name + ".bias", {out}, device));
    // The weight first: a wrong width shows there, under the name a user recognises.
    torch::Tensor weight = loadWeight(checkpoint, name + ".weight", {in, out}, device).t().contiguous();
    return Linear::dense(std::move(weight), loadWeight(checkpoint, name + ".bias", {out}, device));
}

// GPT2LMHeadModel saves its tensors under "transformer."; OpenAI's converted checkpoints
// and GPT2Model leave the prefix out.
std::string namePrefix(const Checkpoint &checkpoint)
{
    return checkpoint.find("transformer.wte.weight") ? "transformer." : "";
}

} // namespace

Gpt2::Gpt2(const Checkpoint &checkpoint, const Gpt2Config &config, torch::Device device)
    : config_(config), device_(device), prefix_(namePrefix(checkpoint))
{
    const int64_t d = config.dim, h = config.hiddenDim;
    const auto norm = [&](const std::string &name) {
        return LayerNorm{loadWeight(checkpoint, prefix_ + name + ".weight", {d}, device),
                         loadWeight(checkpoint, prefix_ + name + ".bias", {d}, device)};
    };
    tokenEmbedding_ = loadWeight(checkpoint, prefix_ + "wte.weight", {config.vocab, d}, device);
    positionEmbedding_ = loadWeight(checkpoint, prefix_ + "wpe.weight", {config.contextLength, d}, device);
    for (int64_t l = 0; l < config.layers; ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        blocks_.push_back(Block{
            norm(p + "ln_1"),
            norm(p + "ln_2"),
            conv1d(checkpoint, prefix_ + p + "attn.c_attn", d, 3 * d, device),
            conv1d(checkpoint, prefix_ + p + "attn.c_proj", d, d, device),
            conv1d(checkpoint, prefix_ + p + "mlp.c_fc", d, h, device),
            conv1d(checkpoint, prefix_ + p + "mlp.c_proj", h, d, device),
        });
    }
    finalNorm_ = norm("ln_f");
}

KvCache Gpt2::emptyCache() const
{
    return KvCache::forContext(config_.layers, config_.heads, config_.contextLength, config_.headDim, device_);
}

torch::Tensor Gpt2::norm(const torch::Tensor &x, const LayerNorm &n) const
{
    return torch::layer_norm(x, {config_.dim}, n.weight, n.bias, config_.layerNormEps);
}

torch::Tensor Gpt2::attention(const Block &block, const torch::Tensor &x, KvCache *cache, size_t layer) const
{
    const int64_t length = x.size(0), start = cache ? cache->length : 0;
    // c_attn's output is q | k | v, each [T, dim]; as heads [heads, T, headDim].
    const std::vector<torch::Tensor> qkv =
        block.qkv(x).view({length, 3, config_.heads, config_.headDim}).permute({1, 2, 0, 3}).unbind(0);
    const torch::Tensor &q = qkv[0];
    torch::Tensor k = qkv[1], v = qkv[2];
    if (cache) {
        cache->keys[layer].narrow(1, start, length).copy_(k);
        cache->values[layer].narrow(1, start, length).copy_(v);
        k = cache->keys[layer].narrow(1, 0, start + length);
        v = cache->values[layer].narrow(1, 0, start + length);
    }
    torch::Tensor scores = torch::matmul(q, k.transpose(1, 2)) / std::sqrt(double(config_.headDim));
    if (length > 1) { // a query at position start+t sees the keys at positions up to start+t
        const auto flags = torch::TensorOptions().dtype(torch::kBool).device(device_);
        const torch::Tensor future = torch::ones({length, start + length}, flags).triu(start + 1);
        scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
    }
    const torch::Tensor out = torch::matmul(scores.softmax(-1), v) // [heads, T, headDim]
                                  .transpose(0, 1)
                                  .reshape({length, config_.dim});
    return block.out(out);
}

torch::Tensor Gpt2::forward(const torch::Tensor &tokens, KvCache *cache) const
{
    const int64_t start = cache ? cache->length : 0;
    torch::Tensor x = tokenEmbedding_.index_select(0, tokens) + positionEmbedding_.narrow(0, start, tokens.size(0));
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const Block &block = blocks_[l];
        x = x + attention(block, norm(x, block.attentionNorm), cache, l);
        x = x + block.down(torch::gelu(block.up(norm(x, block.mlpNorm)), "tanh"));
    }
    if (cache)
        cache->length += tokens.size(0);
    return torch::matmul(norm(x, finalNorm_), tokenEmbedding_.t());
}

std::vector<Projection> Gpt2::projections()
{
    std::vector<Projection> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        Block &b = blocks_[l];
        const std::string p = prefix_ + "h." + std::to_string(l) + ".";
        for (auto [name, linear] : {std::pair{"attn.c_attn", &b.qkv}, {"attn.c_proj", &b.out}, {"mlp.c_fc", &b.up},
                                    {"mlp.c_proj", &b.down}})
            all.push_back({p + name, linear});
    }
    return all;
}

std::vector<torch::Tensor> Gpt2::parameters() const
{
    std::vector<torch::Tensor> all{tokenEmbedding_, positionEmbedding_};
    for (const Block &b : blocks_) {
        for (const LayerNorm *n : {&b.attentionNorm, &b.mlpNorm}) {
            all.push_back(n->weight);
            all.push_back(n->bias);
        }
        for (const Linear *linear : {&b.qkv, &b.out, &b.up, &b.down})
            for (const torch::Tensor &t : linear->parameters())
                all.push_back(t);
    }
    all.push_back(finalNorm_.weight);
    all.push_back(finalNorm_.bias);
    return all;
}

std::string Gpt2::hfConfigJson() const { return sculpt::hfConfigJson(config_); }

std::vector<std::pair<std::string, torch::Tensor>> Gpt2::otherTensors() const
{
    std::vector<std::pair<std::string, torch::Tensor>> all{{prefix_ + "wte.weight", tokenEmbedding_},
                                                           {prefix_ + "wpe.weight", positionEmbedding_}};
    const auto add = [&](const std::string &name, const LayerNorm &n) {
        all.emplace_back(prefix_ + name + ".weight", n.weight);
        all.emplace_back(prefix_ + name + ".bias", n.bias);
    };
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        add(p + "ln_1", blocks_[l].attentionNorm);
        add(p + "ln_2", blocks_[l].mlpNorm);
    }
    add("ln_f", finalNorm_);
    return all;
}

} // namespace sculpt
