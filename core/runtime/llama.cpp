#include "runtime/llama.h"

#include "io/checkpoint.h"
#include "runtime/checkpoint_weights.h"

#include <cmath>
#include <limits>

namespace sculpt {
namespace {

// A projection [out, in], with its bias when the checkpoint has one (Qwen2's q, k, v). A
// compressed checkpoint stores it as factors A [out, k] and B [k, in] (weight_a, weight_b).
Linear linear(const Checkpoint &checkpoint, const std::string &name, int64_t out, int64_t in, torch::Device device)
{
    const std::string bias = name + ".bias";
    std::optional<torch::Tensor> b =
        checkpoint.find(bias) ? std::optional(loadWeight(checkpoint, bias, {out}, device)) : std::nullopt;
    if (std::optional<Linear::Factors> f = loadFactors(checkpoint, name, out, in, device))
        return Linear::lowRank(f->a, f->b, std::nullopt, std::move(b));
    return Linear::dense(loadWeight(checkpoint, name + ".weight", {out, in}, device), std::move(b));
}

// llama2.c's q and k rows pair dimensions (2i, 2i+1) for the rotary embedding; Hugging Face's
// conversion reorders them to pair (i, i + d/2). The runtime keeps one layout: this reorder.
torch::Tensor halfSplitRows(int64_t heads, int64_t headDim, torch::Device device)
{
    return torch::arange(heads * headDim, torch::TensorOptions().dtype(torch::kInt64).device(device))
        .view({heads, headDim / 2, 2})
        .transpose(1, 2)
        .reshape({-1});
}

// The same projection with its output rows in `order`.
Linear reorderRows(const Linear &l, const torch::Tensor &order)
{
    const std::optional<torch::Tensor> bias =
        l.bias().defined() ? std::optional(l.bias().index_select(0, order)) : std::nullopt;
    if (!l.isLowRank())
        return Linear::dense(l.weight().index_select(0, order), bias);
    const auto f = l.factors();
    return Linear::lowRank(f.a.index_select(0, order), f.b, std::nullopt, bias);
}

} // namespace

Llama::Llama(const Checkpoint &checkpoint, const LlamaConfig &config, torch::Device device)
    : config_(config),
      device_(device),
      rotary_(config.headDim, config.ropeTheta, config.contextLength, device),
      embedding_(loadWeight(checkpoint, "model.embed_tokens.weight", {config.vocab, config.dim}, device)),
      finalNorm_(loadWeight(checkpoint, "model.norm.weight", {config.dim}, device)),
      head_(config.tiedHead ? Linear::dense(embedding_)
                            : linear(checkpoint, "lm_head", config.vocab, config.dim, device))
{
    const int64_t d = config.dim, h = config.hiddenDim, q = config.heads * config.headDim,
                  kv = config.kvHeads * config.headDim;
    for (int64_t l = 0; l < config.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        blocks_.push_back(Block{
            loadWeight(checkpoint, p + "input_layernorm.weight", {d}, device),
            loadWeight(checkpoint, p + "post_attention_layernorm.weight", {d}, device),
            linear(checkpoint, p + "self_attn.q_proj", q, d, device),
            linear(checkpoint, p + "self_attn.k_proj", kv, d, device),
            linear(checkpoint, p + "self_attn.v_proj", kv, d, device),
            linear(checkpoint, p + "self_attn.o_proj", d, q, device),
            linear(checkpoint, p + "mlp.gate_proj", h, d, device),
            linear(checkpoint, p + "mlp.up_proj", h, d, device),
            linear(checkpoint, p + "mlp.down_proj", d, h, device),
        });
        if (config.ropeLayout == RopeLayout::Interleaved) {
            Block &b = blocks_.back();
            b.q = reorderRows(b.q, halfSplitRows(config.heads, config.headDim, device));
            b.k = reorderRows(b.k, halfSplitRows(config.kvHeads, config.headDim, device));
        }
    }
    config_.ropeLayout = RopeLayout::HalfSplit;
}

KvCache Llama::emptyCache() const
{
    return KvCache::forContext(config_.layers, config_.kvHeads, config_.contextLength, config_.headDim, device_);
}

torch::Tensor Llama::rmsNorm(const torch::Tensor &x, const torch::Tensor &weight) const
{
    return x * torch::rsqrt(x.square().mean(-1, /*keepdim=*/true) + config_.rmsNormEps) * weight;
}

torch::Tensor Llama::attention(const Block &block, const torch::Tensor &x, const Rotary::Window &angles,
                               const torch::Tensor &mask, KvCache *cache, size_t layer) const
{
    const int64_t length = x.size(0), start = cache ? cache->length : 0, group = config_.heads / config_.kvHeads;
    const auto heads = [&](const torch::Tensor &t, int64_t n) { // [T, n·headDim] -> [T, n, headDim]
        return t.view({length, n, config_.headDim});
    };
    // [heads, T, headDim] each
    const torch::Tensor q = Rotary::apply(heads(block.q(x), config_.heads), angles).transpose(0, 1);
    torch::Tensor k = Rotary::apply(heads(block.k(x), config_.kvHeads), angles).transpose(0, 1);
    torch::Tensor v = heads(block.v(x), config_.kvHeads).transpose(0, 1);
    if (cache) {
        cache->keys[layer].narrow(1, start, length).copy_(k);
        cache->values[layer].narrow(1, start, length).copy_(v);
        k = cache->keys[layer].narrow(1, 0, start + length);
        v = cache->values[layer].narrow(1, 0, start + length);
    }
    // Grouped-query attention: query heads g·group … (g+1)·group−1 share key/value head g, so
    // each group's queries are stacked and meet their keys in one product — which also scales
    // and masks, one operation where three were: on small models the count is the cost.
    const torch::Tensor grouped = q.reshape({config_.kvHeads, group * length, config_.headDim});
    const double scale = 1 / std::sqrt(double(config_.headDim));
    const torch::Tensor scores = mask.defined() ? torch::baddbmm(mask, grouped, k.transpose(1, 2), 1, scale)
                                                : torch::matmul(grouped, k.transpose(1, 2)) * scale;
    const torch::Tensor out = torch::matmul(scores.softmax(-1), v) // [kvHeads, group·T, headDim]
                                  .view({config_.heads, length, config_.headDim})
                                  .transpose(0, 1)
                                  .reshape({length, config_.heads * config_.headDim});
    return block.o(out);
}

std::vector<Projection> Llama::projections()
{
    std::vector<Projection> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        Block &b = blocks_[l];
        const std::string p = "model.layers." + std::to_string(l) + ".";
        for (auto [name, linear] : {std::pair{"self_attn.q_proj", &b.q}, {"self_attn.k_proj", &b.k},
                                    {"self_attn.v_proj", &b.v}, {"self_attn.o_proj", &b.o}, {"mlp.gate_proj", &b.gate},
                                    {"mlp.up_proj", &b.up}, {"mlp.down_proj", &b.down}})
            all.push_back({p + name, linear});
    }
    return all;
}

std::vector<torch::Tensor> Llama::parameters() const
{
    std::vector<torch::Tensor> all{embedding_, finalNorm_};
    const auto add = [&all](const Linear &linear) {
        for (const torch::Tensor &t : linear.parameters())
            all.push_back(t);
    };
    for (const Block &b : blocks_) {
        all.push_back(b.attentionNorm);
        all.push_back(b.mlpNorm);
        for (const Linear *linear : {&b.q, &b.k, &b.v, &b.o, &b.gate, &b.up, &b.down})
            add(*linear);
    }
    if (!config_.tiedHead)
        add(head_);
    return all;
}

std::string Llama::hfConfigJson() const { return sculpt::hfConfigJson(config_); }

std::vector<std::pair<std::string, torch::Tensor>> Llama::otherTensors() const
{
    std::vector<std::pair<std::string, torch::Tensor>> all{{"model.embed_tokens.weight", embedding_},
                                                           {"model.norm.weight", finalNorm_}};
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        all.emplace_back(p + "input_layernorm.weight", blocks_[l].attentionNorm);
        all.emplace_back(p + "post_attention_layernorm.weight", blocks_[l].mlpNorm);
    }
    if (!config_.tiedHead)
        all.emplace_back("lm_head.weight", head_.weight());
    return all;
}

torch::Tensor Llama::forward(const torch::Tensor &tokens, KvCache *cache) const
{
    const int64_t length = tokens.size(0), start = cache ? cache->length : 0;
    // What every layer shares: the positions' angles and, for more than one query, the causal
    // mask (a query at position start+t sees the keys up to start+t), stacked once per group
    // of query heads that share a key head.
    const Rotary::Window angles = rotary_.window(start, length);
    torch::Tensor mask;
    if (length > 1)
        mask = torch::full({length, start + length}, -std::numeric_limits<float>::infinity(),
                           torch::TensorOptions().dtype(torch::kFloat32).device(device_))
                   .triu(start + 1)
                   .repeat({config_.heads / config_.kvHeads, 1});
    torch::Tensor x = embedding_.index_select(0, tokens);
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const Block &block = blocks_[l];
        x = x + attention(block, rmsNorm(x, block.attentionNorm), angles, mask, cache, l);
        const torch::Tensor h = rmsNorm(x, block.mlpNorm);
        x = x + block.down(torch::silu(block.gate(h)) * block.up(h));
    }
    if (cache)
        cache->length += length;
    return head_(rmsNorm(x, finalNorm_));
}

} // namespace sculpt
