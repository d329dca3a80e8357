#include "io/llama2c.h"

#include "io/error.h"
#include "io/mapped_file.h"

#include <cstring>
#include <optional>

namespace sculpt {
namespace {

struct Config {
    int32_t dim, hiddenDim, layers, heads, kvHeads, vocab, seqLen;
};

Config parseConfig(std::span<const std::byte> head)
{
    Config c{};
    std::memcpy(&c, head.data(), sizeof c);
    return c;
}

// Why a header cannot describe a model, or nothing when it can.
std::optional<std::string> implausible(const Config &c)
{
    constexpr int32_t kMaxDim = 1 << 18;
    if (c.dim <= 0 || c.dim > kMaxDim || c.hiddenDim <= 0 || c.hiddenDim > 4 * kMaxDim)
        return "dim or hidden_dim out of range";
    if (c.layers <= 0 || c.layers > 4096)
        return "n_layers out of range";
    if (c.heads <= 0 || c.dim % c.heads != 0)
        return "n_heads does not divide dim";
    if (c.kvHeads <= 0 || c.kvHeads > c.heads || c.heads % c.kvHeads != 0)
        return "n_kv_heads does not divide n_heads";
    if (c.vocab == 0 || c.vocab == INT32_MIN || c.vocab > (1 << 24) || c.vocab < -(1 << 24))
        return "vocab_size out of range";
    if (c.seqLen <= 0 || c.seqLen > (1 << 24))
        return "seq_len out of range";
    return std::nullopt;
}

} // namespace

bool claimsLlama2c(std::span<const std::byte> head, uint64_t fileSize)
{
    return head.size() >= sizeof(Config) && fileSize >= sizeof(Config) && !implausible(parseConfig(head));
}

std::unique_ptr<Checkpoint> readLlama2c(const std::string &path)
{
    auto file = MappedFile::open(path);
    const auto head = file->slice(0, sizeof(Config), "llama2.c header");
    const Config c = parseConfig(head);
    if (const auto why = implausible(c))
        throw FileError(path, "not a llama2.c checkpoint: " + *why);

    // All products fit in uint64: every factor is capped well below 2^24.
    const bool shared = c.vocab > 0;
    const uint64_t vocab = static_cast<uint64_t>(shared ? c.vocab : -static_cast<int64_t>(c.vocab));
    const uint64_t dim = c.dim, hidden = c.hiddenDim, L = c.layers;
    const uint64_t headSize = dim / c.heads, kvDim = headSize * c.kvHeads;
    const uint64_t freqCis = static_cast<uint64_t>(c.seqLen) * headSize; // real and imaginary halves
    const uint64_t floats = vocab * dim + L * (2 * dim + 2 * dim * dim + 2 * dim * kvDim + 3 * dim * hidden) +
                            dim + freqCis + (shared ? 0 : vocab * dim);
    const uint64_t expected = sizeof(Config) + 4 * floats;
    if (expected != file->size())
        throw FileError(path, "llama2.c header (dim " + std::to_string(dim) + ", " + std::to_string(L) +
                                  " layers, vocab " + std::to_string(vocab) + ") needs " + std::to_string(expected) +
                                  " bytes but the file has " + std::to_string(file->size()));

    auto checkpoint = std::make_unique<Checkpoint>(path, "llama2.c");
    auto &meta = checkpoint->metadata();
    meta["dim"] = std::to_string(dim);
    meta["hidden_dim"] = std::to_string(hidden);
    meta["n_layers"] = std::to_string(L);
    meta["n_heads"] = std::to_string(c.heads);
    meta["n_kv_heads"] = std::to_string(c.kvHeads);
    meta["vocab_size"] = std::to_string(vocab);
    meta["seq_len"] = std::to_string(c.seqLen);
    meta["shared_classifier"] = shared ? "true" : "false";
    // llama2.c rotates interleaved pairs; HF checkpoints permute q/k rows to rotate halves.
    meta["rope_layout"] = "interleaved";

    // Offsets (in floats) of each array grouped across layers, in file order.
    uint64_t cursor = 0;
    const auto take = [&](uint64_t n) {
        const uint64_t at = cursor;
        cursor += n;
        return at;
    };
    const uint64_t embed = take(vocab * dim), rmsAtt = take(L * dim), wq = take(L * dim * dim),
                   wk = take(L * dim * kvDim), wv = take(L * dim * kvDim), wo = take(L * dim * dim),
                   rmsFfn = take(L * dim), w1 = take(L * dim * hidden), w2 = take(L * hidden * dim),
                   w3 = take(L * dim * hidden), rmsFinal = take(dim);
    take(freqCis); // unused precomputed RoPE tables
    const uint64_t cls = shared ? embed : take(vocab * dim);

    const auto add = [&](std::string name, std::vector<int64_t> shape, uint64_t at, std::string tiedTo = {}) {
        TensorInfo t;
        t.name = std::move(name);
        t.dtype = DType::F32;
        t.shape = std::move(shape);
        t.tiedTo = std::move(tiedTo);
        const uint64_t n = t.elements();
        checkpoint->add(std::move(t), file, file->slice(sizeof(Config) + 4 * at, 4 * n, "tensor data"));
    };
    const auto d = static_cast<int64_t>(dim), h = static_cast<int64_t>(hidden), kv = static_cast<int64_t>(kvDim);
    add("model.embed_tokens.weight", {static_cast<int64_t>(vocab), d}, embed);
    for (uint64_t l = 0; l < L; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        add(p + "input_layernorm.weight", {d}, rmsAtt + l * dim);
        add(p + "self_attn.q_proj.weight", {d, d}, wq + l * dim * dim);
        add(p + "self_attn.k_proj.weight", {kv, d}, wk + l * dim * kvDim);
        add(p + "self_attn.v_proj.weight", {kv, d}, wv + l * dim * kvDim);
        add(p + "self_attn.o_proj.weight", {d, d}, wo + l * dim * dim);
        add(p + "post_attention_layernorm.weight", {d}, rmsFfn + l * dim);
        add(p + "mlp.gate_proj.weight", {h, d}, w1 + l * dim * hidden);
        add(p + "mlp.down_proj.weight", {d, h}, w2 + l * hidden * dim);
        add(p + "mlp.up_proj.weight", {h, d}, w3 + l * dim * hidden);
    }
    add("model.norm.weight", {d}, rmsFinal);
    add("lm_head.weight", {static_cast<int64_t>(vocab), d}, cls, shared ? "model.embed_tokens.weight" : "");
    return checkpoint;
}

} // namespace sculpt
