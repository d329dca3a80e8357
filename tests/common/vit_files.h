#pragma once
// Small Vision Transformers with random weights, and writing them as Hugging Face's
// ViTForImageClassification saves them (config.json + model.safetensors) or under lucidrains'
// names with one fused q/k/v projection.

#include "tensor_files.h"

#include <array>
#include <cmath>
#include <random>

namespace sculpt::test {

struct VitShape {
    int64_t image = 8, patch = 4, channels = 3, dim = 8, layers = 2, heads = 2, hidden = 16, labels = 3;
    int64_t grid() const { return image / patch; }
    int64_t tokens() const { return grid() * grid() + 1; } // the patches and the class token
};

// The choices beyond HF's own ViT that a sidecar can describe.
struct VitVariant {
    bool qkvBias = true;
    bool finalNorm = true;
    int64_t headHidden = 0; // > 0: the head is Linear → GELU → Linear
};

// Every matrix is [out, in], as torch's Linear stores it.
struct VitLayerWeights {
    std::vector<float> norm1w, norm1b, q, qb, k, kb, v, vb, o, ob, norm2w, norm2b, fc1, fc1b, fc2, fc2b;
};

struct VitWeights {
    VitShape shape;
    VitVariant variant;
    std::vector<float> patch, patchBias; // the conv kernel [dim, C, p, p]
    std::vector<float> cls, positions;   // [dim], [tokens, dim]
    std::vector<VitLayerWeights> layers;
    std::vector<float> finalNormW, finalNormB;     // empty without a final norm
    std::vector<float> headHidden, headHiddenBias; // empty without a hidden head layer
    std::vector<float> head, headBias;
};

inline VitWeights randomVit(const VitShape &s, const VitVariant &variant = {}, uint32_t seed = 1)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0, 1);
    // Weights ~ N(0, gain²/fanIn) keep activations of order one through the blocks.
    const auto matrix = [&](int64_t out, int64_t in, float gain = 1) {
        std::vector<float> w(static_cast<size_t>(out * in));
        for (float &x : w)
            x = gain * normal(rng) / std::sqrt(float(in));
        return w;
    };
    const auto vector = [&](int64_t n, float centre, float spread) {
        std::vector<float> v(static_cast<size_t>(n));
        for (float &x : v)
            x = centre + spread * normal(rng);
        return v;
    };
    const int64_t d = s.dim, h = s.hidden, patchIn = s.channels * s.patch * s.patch;
    VitWeights w{s, variant, matrix(d, patchIn), vector(d, 0, 0.1f), vector(d, 0, 1), vector(s.tokens() * d, 0, 1),
                 {}, {}, {}, {}, {}, {}, {}};
    for (int64_t l = 0; l < s.layers; ++l) {
        VitLayerWeights layer;
        layer.norm1w = vector(d, 1, 0.2f), layer.norm1b = vector(d, 0, 0.1f);
        // q and k larger than usual, so attention is far from uniform and a wrong head
        // layout shows.
        layer.q = matrix(d, d, 3), layer.k = matrix(d, d, 3), layer.v = matrix(d, d);
        if (variant.qkvBias)
            layer.qb = vector(d, 0, 0.1f), layer.kb = vector(d, 0, 0.1f), layer.vb = vector(d, 0, 0.1f);
        layer.o = matrix(d, d), layer.ob = vector(d, 0, 0.1f);
        layer.norm2w = vector(d, 1, 0.2f), layer.norm2b = vector(d, 0, 0.1f);
        layer.fc1 = matrix(h, d), layer.fc1b = vector(h, 0, 0.1f);
        layer.fc2 = matrix(d, h), layer.fc2b = vector(d, 0, 0.1f);
        w.layers.push_back(layer);
    }
    if (variant.finalNorm)
        w.finalNormW = vector(d, 1, 0.2f), w.finalNormB = vector(d, 0, 0.1f);
    const int64_t headIn = variant.headHidden > 0 ? variant.headHidden : d;
    if (variant.headHidden > 0)
        w.headHidden = matrix(variant.headHidden, d), w.headHiddenBias = vector(variant.headHidden, 0, 0.1f);
    w.head = matrix(s.labels, headIn), w.headBias = vector(s.labels, 0, 0.1f);
    return w;
}

inline QByteArray floatBytes(const std::vector<float> &values)
{
    return QByteArray(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(float)));
}

// The tensors under HF's names (HF's ViT has q/k/v biases, a final norm and a one-layer head).
inline std::vector<Tensor> hfVitTensors(const VitWeights &w)
{
    const VitShape &s = w.shape;
    const int64_t d = s.dim, h = s.hidden;
    std::vector<Tensor> t{
        {"vit.embeddings.patch_embeddings.projection.weight", DType::F32, {d, s.channels, s.patch, s.patch}, floatBytes(w.patch)},
        {"vit.embeddings.patch_embeddings.projection.bias", DType::F32, {d}, floatBytes(w.patchBias)},
        {"vit.embeddings.cls_token", DType::F32, {1, 1, d}, floatBytes(w.cls)},
        {"vit.embeddings.position_embeddings", DType::F32, {1, s.tokens(), d}, floatBytes(w.positions)},
        {"vit.layernorm.weight", DType::F32, {d}, floatBytes(w.finalNormW)},
        {"vit.layernorm.bias", DType::F32, {d}, floatBytes(w.finalNormB)},
        {"classifier.weight", DType::F32, {s.labels, d}, floatBytes(w.head)},
        {"classifier.bias", DType::F32, {s.labels}, floatBytes(w.headBias)},
    };
    for (int64_t l = 0; l < s.layers; ++l) {
        const VitLayerWeights &x = w.layers[size_t(l)];
        const std::string p = "vit.encoder.layer." + std::to_string(l) + ".";
        const auto add = [&](const char *name, std::vector<int64_t> shape, const std::vector<float> &values) {
            t.push_back({p + name, DType::F32, std::move(shape), floatBytes(values)});
        };
        add("layernorm_before.weight", {d}, x.norm1w);
        add("layernorm_before.bias", {d}, x.norm1b);
        add("attention.attention.query.weight", {d, d}, x.q);
        add("attention.attention.query.bias", {d}, x.qb);
        add("attention.attention.key.weight", {d, d}, x.k);
        add("attention.attention.key.bias", {d}, x.kb);
        add("attention.attention.value.weight", {d, d}, x.v);
        add("attention.attention.value.bias", {d}, x.vb);
        add("attention.output.dense.weight", {d, d}, x.o);
        add("attention.output.dense.bias", {d}, x.ob);
        add("layernorm_after.weight", {d}, x.norm2w);
        add("layernorm_after.bias", {d}, x.norm2b);
        add("intermediate.dense.weight", {h, d}, x.fc1);
        add("intermediate.dense.bias", {h}, x.fc1b);
        add("output.dense.weight", {d, h}, x.fc2);
        add("output.dense.bias", {d}, x.fc2b);
    }
    return t;
}

inline QByteArray hfVitConfig(const VitShape &s)
{
    QByteArray labels;
    for (int64_t i = 0; i < s.labels; ++i)
        labels += QByteArray(i ? ", " : "") + "\"" + QByteArray::number(i) + "\": \"class " + QByteArray::number(i) + "\"";
    return "{\"model_type\": \"vit\", \"architectures\": [\"ViTForImageClassification\"], \"image_size\": " +
           QByteArray::number(s.image) + ", \"patch_size\": " + QByteArray::number(s.patch) +
           ", \"num_channels\": " + QByteArray::number(s.channels) + ", \"hidden_size\": " + QByteArray::number(s.dim) +
           ", \"num_hidden_layers\": " + QByteArray::number(s.layers) + ", \"num_attention_heads\": " +
           QByteArray::number(s.heads) + ", \"intermediate_size\": " + QByteArray::number(s.hidden) +
           ", \"hidden_act\": \"gelu\", \"layer_norm_eps\": 1e-12, \"qkv_bias\": true, \"hidden_dropout_prob\": 0.0, "
           "\"id2label\": {" + labels + "}}";
}

// An HF folder (config.json + model.safetensors) holding `tensors`; returns its path.
inline QString writeHfVit(const QString &folder, const std::vector<Tensor> &tensors, const QByteArray &config)
{
    QDir().mkpath(folder);
    writeTensors(folder + "/model.safetensors", tensors);
    writeFile(folder + "/config.json", config);
    return folder;
}

// A patch kernel [dim, C, p, p] as a matrix [dim, C·p·p] whose columns run in `order`, the
// three axes (0: channel, 1: row, 2: column) from outermost to innermost.
inline std::vector<float> flattenPatch(const VitWeights &w, std::array<int, 3> order)
{
    const VitShape &s = w.shape;
    const std::array<int64_t, 3> extent{s.channels, s.patch, s.patch};
    std::vector<float> out;
    for (int64_t o = 0; o < s.dim; ++o)
        for (int64_t a = 0; a < extent[size_t(order[0])]; ++a)
            for (int64_t b = 0; b < extent[size_t(order[1])]; ++b)
                for (int64_t c = 0; c < extent[size_t(order[2])]; ++c) {
                    std::array<int64_t, 3> at{};
                    at[size_t(order[0])] = a, at[size_t(order[1])] = b, at[size_t(order[2])] = c;
                    out.push_back(w.patch[size_t(((o * s.channels + at[0]) * s.patch + at[1]) * s.patch + at[2])]);
                }
    return out;
}

// q, k and v rows fused into one [3·dim, dim] matrix: "3 h d" stacks them whole, "h 3 d"
// interleaves them head by head.
inline std::vector<float> fuseQkv(const VitLayerWeights &layer, const VitShape &s, bool perHead)
{
    const int64_t d = s.dim, headDim = s.dim / s.heads;
    std::vector<float> out;
    const auto rows = [&](const std::vector<float> &w, int64_t first, int64_t n) {
        out.insert(out.end(), w.begin() + first * d, w.begin() + (first + n) * d);
    };
    if (!perHead) {
        for (const auto *w : {&layer.q, &layer.k, &layer.v})
            rows(*w, 0, d);
        return out;
    }
    for (int64_t h = 0; h < s.heads; ++h)
        for (const auto *w : {&layer.q, &layer.k, &layer.v})
            rows(*w, h * headDim, headDim);
    return out;
}

// The weights under lucidrains' early vit-pytorch names, each name behind `prefix`: for
// VitVariant{.qkvBias = false, .finalNorm = false, .headHidden > 0}, read through a sidecar.
inline std::vector<Tensor> lucidrainsTensors(const VitWeights &w, std::array<int, 3> patchOrder, bool perHead,
                                             const std::string &prefix = {})
{
    const VitShape &s = w.shape;
    const int64_t d = s.dim, h = s.hidden, headHidden = w.variant.headHidden;
    std::vector<Tensor> t;
    const auto add = [&](const std::string &name, std::vector<int64_t> shape, const std::vector<float> &values) {
        t.push_back({prefix + name, DType::F32, std::move(shape), floatBytes(values)});
    };
    add("patch_to_embedding.weight", {d, s.channels * s.patch * s.patch}, flattenPatch(w, patchOrder));
    add("patch_to_embedding.bias", {d}, w.patchBias);
    add("cls_token", {1, 1, d}, w.cls);
    add("pos_embedding", {1, s.tokens(), d}, w.positions);
    for (int64_t l = 0; l < s.layers; ++l) {
        const VitLayerWeights &x = w.layers[size_t(l)];
        const std::string a = "transformer.layers." + std::to_string(l) + ".0.fn.";
        const std::string m = "transformer.layers." + std::to_string(l) + ".1.fn.";
        add(a + "norm.weight", {d}, x.norm1w);
        add(a + "norm.bias", {d}, x.norm1b);
        add(a + "fn.to_qkv.weight", {3 * d, d}, fuseQkv(x, s, perHead));
        add(a + "fn.to_out.weight", {d, d}, x.o);
        add(a + "fn.to_out.bias", {d}, x.ob);
        add(m + "norm.weight", {d}, x.norm2w);
        add(m + "norm.bias", {d}, x.norm2b);
        add(m + "fn.net.0.weight", {h, d}, x.fc1);
        add(m + "fn.net.0.bias", {h}, x.fc1b);
        add(m + "fn.net.2.weight", {d, h}, x.fc2);
        add(m + "fn.net.2.bias", {d}, x.fc2b);
    }
    add("mlp_head.0.weight", {headHidden, d}, w.headHidden);
    add("mlp_head.0.bias", {headHidden}, w.headHiddenBias);
    add("mlp_head.2.weight", {s.labels, headHidden}, w.head);
    add("mlp_head.2.bias", {s.labels}, w.headBias);
    return t;
}

// The sidecar ../shared/models/vit_mnist_tiny needs, as the README gives it.
inline const QByteArray kVitMnistTinySidecar =
    "{\n"
    "  \"tensor_names\": \"lucidrains\",\n"
    "  \"image_size\": 28, \"patch_size\": 7, \"num_channels\": 1,\n"
    "  \"hidden_size\": 64, \"num_hidden_layers\": 6, \"num_attention_heads\": 8,\n"
    "  \"intermediate_size\": 128, \"num_labels\": 10, \"classifier_hidden_size\": 128,\n"
    "  \"hidden_act\": \"gelu\", \"layer_norm_eps\": 1e-5,\n"
    "  \"qkv_bias\": false, \"qkv_layout\": \"3 h d\",\n"
    "  \"attention_scale\": \"hidden_size\",\n"
    "  \"patch_flatten\": \"p1 p2 c\",\n"
    "  \"final_norm\": false,\n"
    "  \"rescale_factor\": 0.00392156862745098,\n"
    "  \"image_mean\": [0.1307], \"image_std\": [0.3081]\n"
    "}\n";

} // namespace sculpt::test
