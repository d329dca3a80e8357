#include "runtime/families/llama/llama.h"

#include "runtime/attention.h"
#include "runtime/checkpoint_tensors.h"
#include "runtime/weights.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>

namespace sculpt {
namespace {

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

Llama::Llama(const WeightSource &weights, const LlamaConfig &config)
    : config_(config),
      device_(weights.device()),
      rotary_(config.headDim, config.ropeTheta, config.contextLength, weights.device()),
      embedding_(weights.tensor("model.embed_tokens.weight", {config.vocab, config.dim}, Init::weight())),
      finalNorm_(weights.tensor("model.norm.weight", {config.dim}, Init::ones())),
      head_(config.tiedHead ? Linear::dense(embedding_)
                            : weights.linear("lm_head", config.vocab, config.dim, weights.has("lm_head.bias"),
                                             Init::weight()))
{
    const int64_t d = config.dim, h = config.hiddenDim, q = config.heads * config.headDim,
                  kv = config.kvHeads * config.headDim;
    const Init normal = Init::weight();
    const Init residual = Init::normal(Init::kInitializerRange / std::sqrt(2.0 * double(config.layers)));
    for (int64_t l = 0; l < config.layers; ++l) {
        const std::string p = layerPrefix(size_t(l));
        // Qwen2's q, k and v have biases.
        const auto projection = [&](const char *name, int64_t out, int64_t in, const Init &init) {
            return weights.linear(p + name, out, in, weights.has(p + name + ".bias"), init);
        };
        torch::Tensor attentionNorm = weights.tensor(p + "input_layernorm.weight", {d}, Init::ones());
        Linear qp = projection("self_attn.q_proj", q, d, normal), kp = projection("self_attn.k_proj", kv, d, normal),
               vp = projection("self_attn.v_proj", kv, d, normal), op = projection("self_attn.o_proj", d, q, residual);
        torch::Tensor mlpNorm = weights.tensor(p + "post_attention_layernorm.weight", {d}, Init::ones());
        Linear gate = projection("mlp.gate_proj", h, d, normal), up = projection("mlp.up_proj", h, d, normal),
               down = projection("mlp.down_proj", d, h, residual);
        blocks_.push_back(Block{attentionNorm, mlpNorm, qp, kp, vp, op, gate, up, down, {}});
        if (config.ropeLayout == RopeLayout::Interleaved) {
            Block &b = blocks_.back();
            b.q = reorderRows(b.q, halfSplitRows(config.heads, config.headDim, device_));
            b.k = reorderRows(b.k, halfSplitRows(config.kvHeads, config.headDim, device_));
        }
    }
    config_.ropeLayout = RopeLayout::HalfSplit;
}

DecoderProducts Llama::products() const
{
    DecoderProducts products;
    for (const Block &b : blocks_)
        for (const Linear *l : {&b.q, &b.k, &b.v, &b.o, &b.gate, &b.up, &b.down})
            products.perPosition += l->macsPerRow();
    return products;
}

KvCache Llama::emptyCache() const
{
    return KvCache::forContext(config_.layers, config_.kvHeads, config_.contextLength, config_.headDim, device_);
}

torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &weight, double eps)
{
    return x * torch::rsqrt(x.square().mean(-1, /*keepdim=*/true) + eps) * weight;
}

torch::Tensor Llama::attention(const Block &block, const torch::Tensor &x, const Rotary::Window &angles,
                               const AttentionMask &mask, KvCache *cache, const AttentionPrefix *prefix,
                               size_t layer) const
{
    const int64_t b = x.size(0), length = x.size(1), start = cache ? cache->length : 0;
    const auto heads = [&](const torch::Tensor &t, int64_t n) { // [B, T, n·headDim] -> [B, T, n, headDim]
        return t.view({b, length, n, config_.headDim});
    };
    // [B, heads, T, headDim] each
    const torch::Tensor q = Rotary::apply(heads(block.q(x), config_.heads), angles).transpose(1, 2);
    torch::Tensor k = Rotary::apply(heads(block.k(x), config_.kvHeads), angles).transpose(1, 2);
    torch::Tensor v = heads(block.v(x), config_.kvHeads).transpose(1, 2);
    if (cache) {
        cache->keys[layer].narrow(1, start, length).copy_(k[0]);
        cache->values[layer].narrow(1, start, length).copy_(v[0]);
        k = cache->keys[layer].narrow(1, 0, start + length).unsqueeze(0);
        v = cache->values[layer].narrow(1, 0, start + length).unsqueeze(0);
    }
    if (prefix) {
        k = torch::cat({prefix->keys[layer], k}, 2);
        v = torch::cat({prefix->values[layer], v}, 2);
    }
    return block.o(attend(q, k, v, mask, 1 / std::sqrt(double(config_.headDim)), block.headGate));
}

torch::Tensor Llama::blocks(torch::Tensor x, const Rotary::Window &angles, const AttentionMask &mask, KvCache *cache,
                            const AttentionPrefix *prefix, const std::vector<int64_t> &hiddenAfter,
                            std::vector<torch::Tensor> *hidden) const
{
    std::map<int64_t, torch::Tensor> kept;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const Block &block = blocks_[l];
        x = x + attention(block, rmsNorm(x, block.attentionNorm, config_.rmsNormEps), angles, mask, cache, prefix, l);
        const torch::Tensor h = rmsNorm(x, block.mlpNorm, config_.rmsNormEps);
        x = x + block.down(torch::silu(block.gate(h)) * block.up(h));
        if (std::find(hiddenAfter.begin(), hiddenAfter.end(), int64_t(l)) != hiddenAfter.end())
            kept[int64_t(l)] = x;
    }
    if (hidden)
        for (const int64_t l : hiddenAfter)
            hidden->push_back(kept.at(l));
    return head_(rmsNorm(x, finalNorm_, config_.rmsNormEps));
}

torch::Tensor Llama::embed(const torch::Tensor &tokens) const
{
    return embedding_.index_select(0, tokens.reshape({-1})).view({tokens.size(0), tokens.size(1), config_.dim});
}

ModelOutput Llama::forwardEmbedded(const torch::Tensor &x, const torch::Tensor &documents,
                                   const std::vector<int64_t> &hiddenAfter, const AttentionPrefix *prefix) const
{
    const int64_t b = x.size(0), t = x.size(1), group = config_.heads / config_.kvHeads;
    const bool packed = documents.defined();
    if (packed && prefix)
        throw std::invalid_argument("packed documents cannot share one attention prefix");
    const torch::Tensor positions =
        packed ? documentPositions(documents)
               : torch::arange(t, torch::TensorOptions().dtype(torch::kInt64).device(device_)).expand({b, t});
    const AttentionMask mask = packed ? documentMask(documents, config_.kvHeads, group)
                                      : causalMask(t, prefix ? prefix->length() : 0, group, device_);
    ModelOutput out;
    out.logits = blocks(x, rotary_.at(positions), mask, nullptr, prefix, hiddenAfter, &out.hidden);
    return out;
}

ModelOutput Llama::forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter) const
{
    return forwardEmbedded(embed(input.tokens), input.documents, hiddenAfter);
}

torch::Tensor Llama::step(const torch::Tensor &tokens, KvCache *cache) const
{
    return stepEmbedded(embedding_.index_select(0, tokens), cache);
}

torch::Tensor Llama::stepEmbedded(const torch::Tensor &x, KvCache *cache) const
{
    const int64_t length = x.size(0), start = cache ? cache->length : 0, prefix = cache ? cache->prefix : 0;
    // What every layer shares: the positions' angles and, for more than one query, the causal mask.
    const AttentionMask mask = causalMask(length, start, config_.heads / config_.kvHeads, device_);
    const torch::Tensor logits =
        blocks(x.unsqueeze(0), rotary_.window(start - prefix, length), mask, cache, nullptr, {}, nullptr);
    if (cache)
        cache->length += length;
    return logits.squeeze(0);
}

std::vector<LinearSite> Llama::linearSites()
{
    std::vector<LinearSite> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        Block &b = blocks_[l];
        for (auto [name, role, linear] :
             {std::tuple{"self_attn.q_proj", "q", &b.q}, {"self_attn.k_proj", "k", &b.k}, {"self_attn.v_proj", "v", &b.v},
              {"self_attn.o_proj", "o", &b.o}, {"mlp.gate_proj", "gate", &b.gate}, {"mlp.up_proj", "up", &b.up},
              {"mlp.down_proj", "down", &b.down}})
            all.push_back({layerPrefix(l) + name, role, int64_t(l), linear});
    }
    if (!config_.tiedHead)
        all.push_back({"lm_head", "head", -1, &head_});
    return all;
}

std::vector<AttentionSite> Llama::attentionSites()
{
    std::vector<AttentionSite> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const std::string p = layerPrefix(l) + "self_attn.";
        all.push_back({int64_t(l), config_.heads, config_.kvHeads, config_.headDim,
                       {p + "q_proj", p + "k_proj", p + "v_proj"}, p + "o_proj", &blocks_[l].headGate});
    }
    return all;
}

std::vector<std::pair<std::string, torch::Tensor>> Llama::parameters()
{
    std::vector<std::pair<std::string, torch::Tensor>> all{{"model.embed_tokens.weight", embedding_}};
    for (size_t l = 0; l < blocks_.size(); ++l) {
        all.emplace_back(layerPrefix(l) + "input_layernorm.weight", blocks_[l].attentionNorm);
        all.emplace_back(layerPrefix(l) + "post_attention_layernorm.weight", blocks_[l].mlpNorm);
    }
    all.emplace_back("model.norm.weight", finalNorm_);
    for (const LinearSite &site : linearSites())
        for (auto &named : site.linear->parameters(site.name))
            all.push_back(std::move(named));
    return all;
}

std::string Llama::hfConfigJson() const { return sculpt::hfConfigJson(config_); }

std::vector<std::pair<std::string, torch::Tensor>> Llama::checkpointTensors(bool factorized)
{
    NamedTensors all{{"model.embed_tokens.weight", embedding_}, {"model.norm.weight", finalNorm_}};
    for (size_t l = 0; l < blocks_.size(); ++l) {
        all.emplace_back(layerPrefix(l) + "input_layernorm.weight", blocks_[l].attentionNorm);
        all.emplace_back(layerPrefix(l) + "post_attention_layernorm.weight", blocks_[l].mlpNorm);
    }
    for (const LinearSite &site : linearSites())
        appendLinear(all, site.name, *site.linear, factorized);
    return all;
}

} // namespace sculpt
