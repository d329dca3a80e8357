#include "runtime/vit_training.h"

#include "io/atomic_file.h"
#include "data/idx.h"
#include "runtime/learning_rate.h"
#include "tensor/torch_bridge.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt {
namespace {

constexpr double kRescale = 1.0 / 255;
constexpr double kLayerNormEps = 1e-6;
constexpr int64_t kEvalBatch = 256;

// The shape of the model, and how pixels become its input: the numbers config.json records.
struct Shape {
    int64_t imageSize, patchSize, dim, layers, heads, hiddenDim, classes;
    double mean, std; // of byte · kRescale over the training images
    int64_t grid() const { return imageSize / patchSize; }
};

// A ViT with autograd, its parameters under the names transformers' ViTForImageClassification
// gives them, so the saved file is an HF checkpoint. The forward pass is the runtime's
// (runtime/vit.cpp) operation for operation, which the saved file's logits check.
class TrainableVit {
public:
    explicit TrainableVit(const Shape &s) : s_(s)
    {
        const int64_t d = s.dim, h = s.hiddenDim;
        // transformers' initialisation: weights N(0, 0.02), biases 0, LayerNorm 1 and 0.
        const auto normal = [](std::vector<int64_t> shape) { return torch::randn(shape) * 0.02; };
        const auto linear = [&](const std::string &name, int64_t out, int64_t in) {
            add(name + ".weight", normal({out, in}));
            add(name + ".bias", torch::zeros({out}));
        };
        const auto norm = [&](const std::string &name) {
            add(name + ".weight", torch::ones({d}));
            add(name + ".bias", torch::zeros({d}));
        };
        add("vit.embeddings.patch_embeddings.projection.weight", normal({d, 1, s.patchSize, s.patchSize}));
        add("vit.embeddings.patch_embeddings.projection.bias", torch::zeros({d}));
        add("vit.embeddings.cls_token", normal({1, 1, d}));
        add("vit.embeddings.position_embeddings", normal({1, s.grid() * s.grid() + 1, d}));
        for (int64_t l = 0; l < s.layers; ++l) {
            const std::string layer = "vit.encoder.layer." + std::to_string(l) + ".";
            norm(layer + "layernorm_before");
            for (const char *projection : {"query", "key", "value"})
                linear(layer + "attention.attention." + projection, d, d);
            linear(layer + "attention.output.dense", d, d);
            norm(layer + "layernorm_after");
            linear(layer + "intermediate.dense", h, d);
            linear(layer + "output.dense", d, h);
        }
        norm("vit.layernorm");
        linear("classifier", s.classes, d);
    }

    const std::map<std::string, torch::Tensor> &named() const { return parameters_; }

    std::vector<torch::Tensor> parameters() const
    {
        std::vector<torch::Tensor> all;
        for (const auto &[name, t] : parameters_)
            all.push_back(t);
        return all;
    }

    // Logits [B, classes] for normalised grey pixels [B, 1, imageSize, imageSize].
    torch::Tensor forward(const torch::Tensor &pixels) const
    {
        const int64_t b = pixels.size(0), g = s_.grid(), p = s_.patchSize, d = s_.dim;
        // The patch convolution as the matrix it is, each patch flattened c p1 p2 (one channel).
        const torch::Tensor patches = pixels.reshape({b, 1, g, p, g, p}).permute({0, 2, 4, 1, 3, 5}).reshape({b, g * g, p * p});
        torch::Tensor x = torch::linear(patches, at("vit.embeddings.patch_embeddings.projection.weight").reshape({d, p * p}),
                                        at("vit.embeddings.patch_embeddings.projection.bias"));
        x = torch::cat({at("vit.embeddings.cls_token").expand({b, 1, d}), x}, 1) + at("vit.embeddings.position_embeddings");
        for (int64_t l = 0; l < s_.layers; ++l) {
            const std::string layer = "vit.encoder.layer." + std::to_string(l) + ".";
            x = x + attention(layer, norm(layer + "layernorm_before", x));
            x = x + linear(layer + "output.dense",
                           torch::gelu(linear(layer + "intermediate.dense", norm(layer + "layernorm_after", x))));
        }
        return linear("classifier", norm("vit.layernorm", x.select(1, 0)));
    }

private:
    void add(const std::string &name, torch::Tensor t) { parameters_.emplace(name, t.requires_grad_()); }
    const torch::Tensor &at(const std::string &name) const { return parameters_.at(name); }

    torch::Tensor linear(const std::string &module, const torch::Tensor &x) const
    {
        return torch::linear(x, at(module + ".weight"), at(module + ".bias"));
    }

    torch::Tensor norm(const std::string &module, const torch::Tensor &x) const
    {
        return torch::layer_norm(x, {s_.dim}, at(module + ".weight"), at(module + ".bias"), kLayerNormEps);
    }

    torch::Tensor attention(const std::string &layer, const torch::Tensor &x) const
    {
        const int64_t b = x.size(0), t = x.size(1), h = s_.heads, hd = s_.dim / s_.heads;
        const auto heads = [&](const char *projection) {
            return linear(layer + "attention.attention." + projection, x).view({b, t, h, hd}).transpose(1, 2);
        };
        const torch::Tensor q = heads("query"), k = heads("key"), v = heads("value");
        const torch::Tensor weights = (torch::matmul(q, k.transpose(-2, -1)) * (1 / std::sqrt(double(hd)))).softmax(-1);
        return linear(layer + "attention.output.dense", torch::matmul(weights, v).transpose(1, 2).reshape({b, t, s_.dim}));
    }

    Shape s_;
    std::map<std::string, torch::Tensor> parameters_;
};

// Bytes [B, H, W] as the runtime normalises them (image_classifier.cpp): in float64, then
// rounded to float32 once, so training, evaluation and the runtime see the same input.
torch::Tensor normalise(const torch::Tensor &bytes, const Shape &s)
{
    return ((bytes.to(torch::kFloat64) * kRescale - s.mean) / s.std).to(torch::kFloat32).unsqueeze(1);
}

// The mean and standard deviation of byte · kRescale from exact integer sums, so they do
// not depend on a reduction's order.
std::pair<double, double> pixelStatistics(std::span<const uint8_t> pixels)
{
    uint64_t sum = 0, squares = 0;
    for (const uint8_t p : pixels) {
        sum += p;
        squares += uint64_t(p) * p;
    }
    const double n = double(pixels.size());
    const double mean = double(sum) / n, variance = double(squares) / n - mean * mean;
    return {mean * kRescale, std::sqrt(variance) * kRescale};
}

void check(const IdxImages &train, std::span<const uint8_t> trainLabels, const IdxImages &test,
           std::span<const uint8_t> testLabels, const VitTrainingOptions &o)
{
    const auto fail = [](const std::string &why) { throw std::invalid_argument(why); };
    if (train.count == 0 || test.count == 0)
        fail("no training or no test images");
    if (train.count != int64_t(trainLabels.size()) || test.count != int64_t(testLabels.size()))
        fail("not one label per image");
    if (train.rows != train.cols || test.rows != train.rows || test.cols != train.cols)
        fail("the training and test images are not all the same square size");
    if (o.patchSize < 1 || train.rows % o.patchSize != 0)
        fail("patch size " + std::to_string(o.patchSize) + " does not divide the image size " + std::to_string(train.rows));
    if (o.dim < 1 || o.heads < 1 || o.dim % o.heads != 0 || o.layers < 1 || o.hiddenDim < 1)
        fail("the width must be a positive multiple of the heads, with at least one layer");
    if (o.classNames.empty())
        fail("no classes");
    if (o.epochs < 1 || o.batch < 1 || o.threads < 1)
        fail("epochs, batch and threads must be at least 1");
    for (const auto labels : {trainLabels, testLabels})
        for (const uint8_t label : labels)
            if (label >= o.classNames.size())
                fail("label " + std::to_string(label) + " is not one of the " + std::to_string(o.classNames.size()) +
                     " classes");
}

nlohmann::ordered_json configJson(const Shape &s, const std::vector<std::string> &classNames)
{
    nlohmann::ordered_json id2label, label2id;
    for (size_t i = 0; i < classNames.size(); ++i) {
        id2label[std::to_string(i)] = classNames[i];
        label2id[classNames[i]] = i;
    }
    return {{"architectures", {"ViTForImageClassification"}},
            {"model_type", "vit"},
            {"image_size", s.imageSize},
            {"patch_size", s.patchSize},
            {"num_channels", 1},
            {"hidden_size", s.dim},
            {"num_hidden_layers", s.layers},
            {"num_attention_heads", s.heads},
            {"intermediate_size", s.hiddenDim},
            {"hidden_act", "gelu"},
            {"hidden_dropout_prob", 0.0},
            {"attention_probs_dropout_prob", 0.0},
            {"layer_norm_eps", kLayerNormEps},
            {"qkv_bias", true},
            {"id2label", id2label},
            {"label2id", label2id},
            // ViTImageProcessor's keys, here so the runtime normalises as training did.
            {"rescale_factor", kRescale},
            {"image_mean", {s.mean}},
            {"image_std", {s.std}}};
}

void save(const TrainableVit &model, const Shape &s, const std::vector<std::string> &classNames,
          const std::string &folder)
{
    std::filesystem::create_directories(folder);
    writeFloatSafetensors(folder + "/model.safetensors", {model.named().begin(), model.named().end()},
                          {{"format", "pt"}});
    const std::string text = configJson(s, classNames).dump(2) + "\n";
    AtomicFile config(folder + "/config.json");
    config.write(std::as_bytes(std::span(text)));
    config.commit();
}

} // namespace

VitTrainingResult trainVit(const IdxImages &train, std::span<const uint8_t> trainLabels, const IdxImages &test,
                           std::span<const uint8_t> testLabels, const VitTrainingOptions &o, const std::string &folder,
                           const JobContext &job)
{
    check(train, trainLabels, test, testLabels, o);
    const int64_t n = o.trainLimit >= 0 ? std::min<int64_t>(o.trainLimit, train.count) : train.count;
    const int64_t area = train.rows * train.cols;
    const auto [mean, std] = pixelStatistics(std::span(train.pixels).first(size_t(n * area)));
    const Shape s{train.rows, o.patchSize, o.dim, o.layers, o.heads, o.hiddenDim, int64_t(o.classNames.size()), mean, std};

    at::set_num_threads(o.threads);
    torch::manual_seed(o.seed);
    TrainableVit model(s);
    torch::optim::AdamW optimizer(model.parameters(),
                                  torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay));

    // from_blob only reads: index_select copies each batch out.
    const torch::Tensor images =
        torch::from_blob(const_cast<uint8_t *>(train.pixels.data()), {n, train.rows, train.cols}, torch::kUInt8);
    const torch::Tensor labels =
        torch::from_blob(const_cast<uint8_t *>(trainLabels.data()), {n}, torch::kUInt8).to(torch::kLong);
    const int64_t stepsPerEpoch = (n + o.batch - 1) / o.batch, steps = stepsPerEpoch * o.epochs;
    VitTrainingResult result;
    const auto started = std::chrono::steady_clock::now();
    int64_t step = 0;
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        const torch::Tensor order = torch::randperm(n, torch::kLong);
        double lossSum = 0;
        for (int64_t first = 0; first < n; first += o.batch, ++step) {
            job.checkCancelled();
            setLearningRate(optimizer, warmupCosineRate(o.learningRate, step, steps));
            const torch::Tensor batch = order.slice(0, first, std::min(n, first + o.batch));
            const torch::Tensor loss =
                torch::cross_entropy_loss(model.forward(normalise(images.index_select(0, batch), s)),
                                          labels.index_select(0, batch));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>() * double(batch.size(0));
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            char message[64];
            std::snprintf(message, sizeof message, "epoch %d/%d, loss %.4f", epoch + 1, o.epochs,
                          lossSum / double(std::min(n, first + o.batch)));
            job.report(long(step + 1), long(steps), message, elapsed / double(step + 1) * double(steps - step - 1));
        }
        result.epochLoss.push_back(lossSum / double(n));
    }

    {
        torch::NoGradGuard noGrad;
        const torch::Tensor testImages =
            torch::from_blob(const_cast<uint8_t *>(test.pixels.data()), {test.count, test.rows, test.cols}, torch::kUInt8);
        std::vector<torch::Tensor> logits;
        for (int64_t first = 0; first < test.count; first += kEvalBatch)
            logits.push_back(model.forward(normalise(testImages.slice(0, first, std::min(test.count, first + kEvalBatch)), s)));
        const torch::Tensor all = torch::cat(logits).contiguous();
        const torch::Tensor predicted = all.argmax(1).to(torch::kUInt8);
        const torch::Tensor truth = torch::from_blob(const_cast<uint8_t *>(testLabels.data()), {test.count}, torch::kUInt8);
        result.testImages = long(test.count);
        result.testCorrect = long(predicted.eq(truth).sum().item<int64_t>());
        result.testLogits.assign(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
    }
    save(model, s, o.classNames, folder);
    return result;
}

} // namespace sculpt
