#pragma once
// Models the widget tests write themselves, so they run without ../shared: a tiny LLaMA
// whose matrices have decaying spectra like trained weights, and one big enough that its
// spectra take seconds.

#include "tensor_files.h"

#include <cmath>
#include <random>

namespace sculpt::test {

// rows×cols float32 bytes of W = Σ_r r^(−0.7)·u_r·v_rᵀ + small noise: a spectrum that
// decays like a power law, then a noise floor.
inline QByteArray decayingMatrix(int rows, int cols, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    const int rank = std::min(rows, cols);
    std::vector<float> w(size_t(rows) * size_t(cols));
    for (float &v : w)
        v = 0.01f * normal(rng);
    std::vector<float> u(static_cast<size_t>(rows)), v(static_cast<size_t>(cols));
    for (int r = 0; r < rank / 2; ++r) {
        for (float &x : u)
            x = normal(rng);
        for (float &x : v)
            x = normal(rng);
        const float scale = std::pow(float(r + 1), -0.7f) / std::sqrt(float(rows));
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j)
                w[size_t(i) * size_t(cols) + size_t(j)] += scale * u[size_t(i)] * v[size_t(j)];
    }
    return QByteArray(reinterpret_cast<const char *>(w.data()), qsizetype(w.size() * sizeof(float)));
}

inline QByteArray ones(int n)
{
    const std::vector<float> w(size_t(n), 1.0f);
    return QByteArray(reinterpret_cast<const char *>(w.data()), qsizetype(w.size() * sizeof(float)));
}

// A two-block LLaMA (hidden 48, MLP 128, vocabulary 96) in safetensors: 19 tensors, 16 of
// them matrices. Returns the path.
inline QString writeTinyLlama(const QString &folder)
{
    constexpr int hidden = 48, mlp = 128, vocab = 96;
    std::vector<Tensor> tensors;
    uint64_t seed = 1;
    const auto matrix = [&](const std::string &name, int rows, int cols) {
        tensors.push_back({name, DType::F32, {rows, cols}, decayingMatrix(rows, cols, seed++)});
    };
    matrix("model.embed_tokens.weight", vocab, hidden);
    for (int l = 0; l < 2; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        for (const char *proj : {"q_proj", "k_proj", "v_proj", "o_proj"})
            matrix(p + "self_attn." + proj + ".weight", hidden, hidden);
        matrix(p + "mlp.gate_proj.weight", mlp, hidden);
        matrix(p + "mlp.up_proj.weight", mlp, hidden);
        matrix(p + "mlp.down_proj.weight", hidden, mlp);
        tensors.push_back({p + "input_layernorm.weight", DType::F32, {hidden}, ones(hidden)});
    }
    tensors.push_back({"model.norm.weight", DType::F32, {hidden}, ones(hidden)});
    matrix("lm_head.weight", vocab, hidden);
    const QString path = folder + QStringLiteral("/tiny-llama.safetensors");
    writeTensors(path, tensors);
    return path;
}

// `count` float32 n×n matrices of noise: exact spectra that take a while (about a second
// each for n = 1500 here), for cancelling mid-job.
inline QString writeSlowModel(const QString &folder, int count, int n)
{
    std::vector<Tensor> tensors;
    uint64_t state = 88172645463325252ull;
    for (int t = 0; t < count; ++t) {
        QByteArray bytes(qsizetype(n) * n * qsizetype(sizeof(float)), Qt::Uninitialized);
        auto *values = reinterpret_cast<float *>(bytes.data());
        for (qsizetype i = 0; i < qsizetype(n) * n; ++i) { // xorshift: noise, quickly
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values[i] = float(state >> 40) / float(1 << 24) - 0.5f;
        }
        tensors.push_back({"layers." + std::to_string(t) + ".mlp.up_proj.weight", DType::F32, {n, n}, bytes});
    }
    const QString path = folder + QStringLiteral("/slow.safetensors");
    writeTensors(path, tensors);
    return path;
}

} // namespace sculpt::test
