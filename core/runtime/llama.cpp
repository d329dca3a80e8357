#include "runtime/llama.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "tensor/torch_bridge.h"

#include <cmath>
#include <limits>

namespace sculpt {
namespace {

// The named tensor as float32 on `device`, after checking it is the shape the config implies.
torch::Tensor load(const Checkpoint &checkpoint, const std::string &name, const std::vector<int64_t> &shape,
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

// A projection [out, in], with its bias when the checkpoint has one (Qwen2's q, k, v).
Linear linear(const Checkpoint &checkpoint, const std::string &name, int64_t out, int64_t in, torch::Device device)
{
    const std::string bias = name + ".bias";
    return Linear::dense(load(checkpoint, name + ".weight", {out, in}, device),
                         checkpoint.find(bias) ? std::optional(load(checkpoint, bias, {out}, device)) : std::nullopt);
}

} // namespace

Llama::Llama(const Checkpoint &checkpoint, const LlamaConfig &config, torch::Device device)
    : config_(config),
      device_(device),
      rotary_(config.headDim, config.ropeTheta, config.ropeLayout, config.contextLength, device),
      embedding_(load(checkpoint, "model.embed_tokens.weight", {config.vocab, config.dim}, device)),
      finalNorm_(load(checkpoint, "model.norm.weight", {config.dim}, device)),
      head_(config.tiedHead ? Linear::dense(embedding_)
                            : linear(checkpoint, "lm_head", config.vocab, config.dim, device))
{
    const int64_t d = config.dim, h = config.hiddenDim, q = config.heads * config.headDim,
                  kv = config.kvHeads * config.headDim;
    for (int64_t l = 0; l < config.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        blocks_.push_back(Block{
            load(checkpoint, p + "input_layernorm.weight", {d}, device),
            load(checkpoint, p + "post_attention_layernorm.weight", {d}, device),
            linear(checkpoint, p + "self_attn.q_proj", q, d, device),
            linear(checkpoint, p + "self_attn.k_proj", kv, d, device),
            linear(checkpoint, p + "self_attn.v_proj", kv, d, device),
            linear(checkpoint, p + "self_attn.o_proj", d, q, device),
            linear(checkpoint, p + "mlp.gate_proj", h, d, device),
            linear(checkpoint, p + "mlp.up_proj", h, d, device),
            linear(checkpoint, p + "mlp.down_proj", d, h, device),
        });
    }
}

KvCache Llama::emptyCache() const
{
    KvCache cache;
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device_);
    for (int64_t l = 0; l < config_.layers; ++l) {
        cache.keys.push_back(torch::empty({config_.kvHeads, config_.contextLength, config_.headDim}, options));
        cache.values.push_back(torch::empty({config_.kvHeads, config_.contextLength, config_.headDim}, options));
    }
    return cache;
}

torch::Tensor Llama::rmsNorm(const torch::Tensor &x, const torch::Tensor &weight) const
{
    return x * torch::rsqrt(x.square().mean(-1, /*keepdim=*/true) + config_.rmsNormEps) * weight;
}

torch::Tensor Llama::attention(const Block &block, const torch::Tensor &x, KvCache *cache, size_t layer) const
{
    const int64_t length = x.size(0), start = cache ? cache->length : 0, group = config_.heads / config_.kvHeads;
    const auto heads = [&](const torch::Tensor &t, int64_t n) { // [T, n·headDim] -> [n, T, headDim]
        return t.view({length, n, config_.headDim}).transpose(0, 1);
    };
    const torch::Tensor q = rotary_.apply(heads(block.q(x), config_.heads), start);
    torch::Tensor k = rotary_.apply(heads(block.k(x), config_.kvHeads), start);
    torch::Tensor v = heads(block.v(x), config_.kvHeads);
    if (cache) {
        cache->keys[layer].narrow(1, start, length).copy_(k);
        cache->values[layer].narrow(1, start, length).copy_(v);
        k = cache->keys[layer].narrow(1, 0, start + length);
        v = cache->values[layer].narrow(1, 0, start + length);
    }
    // Grouped-query attention: query heads g·group … (g+1)·group−1 share key/value head g, so
    // each group's queries are stacked and meet their keys in one product.
    const torch::Tensor grouped = q.reshape({config_.kvHeads, group * length, config_.headDim});
    torch::Tensor scores = torch::matmul(grouped, k.transpose(1, 2)) / std::sqrt(double(config_.headDim));
    if (length > 1) { // a query at position start+t sees the keys at positions up to start+t
        const auto flags = torch::TensorOptions().dtype(torch::kBool).device(device_);
        const torch::Tensor future = torch::ones({length, start + length}, flags).triu(start + 1);
        scores = scores.view({config_.kvHeads, group, length, start + length})
                     .masked_fill(future, -std::numeric_limits<float>::infinity())
                     .view({config_.kvHeads, group * length, start + length});
    }
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

torch::Tensor Llama::forward(const torch::Tensor &tokens, KvCache *cache) const
{
    torch::Tensor x = embedding_.index_select(0, tokens);
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const Block &block = blocks_[l];
        x = x + attention(block, rmsNorm(x, block.attentionNorm), cache, l);
        const torch::Tensor h = rmsNorm(x, block.mlpNorm);
        x = x + block.down(torch::silu(block.gate(h)) * block.up(h));
    }
    if (cache)
        cache->length += tokens.size(0);
    return head_(rmsNorm(x, finalNorm_));
}

} // namespace sculpt
