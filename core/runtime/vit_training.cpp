#include "runtime/vit_training.h"

#include "data/idx.h"
#include "runtime/demo_folder.h"
#include "runtime/families/vit/vit.h"
#include "runtime/learning_rate.h"
#include "runtime/weights.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace sculpt {
namespace {

constexpr double kRescale = 1.0 / 255;
constexpr double kLayerNormEps = 1e-6;
constexpr int64_t kEvalBatch = 256;

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

// What the runtime reads back: the model's tensors in HF's layout and its config.json.
// The model `sculpt-cli zoo` trains: a Hugging Face ViT for grey images, its input normalised
// by the training set's own pixel statistics.
VitConfig configFor(const VitTrainingOptions &o, int64_t imageSize, double mean, double std)
{
    VitConfig c;
    c.imageSize = imageSize;
    c.patchSize = o.patchSize;
    c.channels = 1;
    c.dim = o.dim;
    c.layers = o.layers;
    c.heads = o.heads;
    c.hiddenDim = o.hiddenDim;
    c.labels = int64_t(o.classNames.size());
    c.labelNames = o.classNames;
    c.layerNormEps = kLayerNormEps;
    c.attentionScale = 1 / std::sqrt(double(c.headDim()));
    c.rescale = kRescale;
    c.mean = {mean};
    c.std = {std};
    c.names = hfVitNames();
    return c;
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
    at::set_num_threads(o.threads);
    torch::manual_seed(o.seed);
    Vit model(FreshWeights(torch::kCPU), configFor(o, train.rows, mean, std));
    std::vector<torch::Tensor> parameters;
    for (auto &[name, tensor] : model.parameters())
        parameters.push_back(tensor.requires_grad_());
    torch::optim::AdamW optimizer(parameters, torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay));
    // [B, H, W] bytes as the runtime normalises them: training, evaluation and the runtime see the same input.
    const auto normalise = [&](const torch::Tensor &bytes) {
        const torch::Tensor contiguous = bytes.contiguous();
        return model.pixels(contiguous.data_ptr<uint8_t>(), size_t(contiguous.numel()), contiguous.size(0));
    };

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
                torch::cross_entropy_loss(model.forward(ModelInput::ofPixels(normalise(images.index_select(0, batch)))).logits,
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
            logits.push_back(
                model.forward(ModelInput::ofPixels(normalise(testImages.slice(0, first, std::min(test.count, first + kEvalBatch))))).logits);
        const torch::Tensor all = torch::cat(logits).contiguous();
        const torch::Tensor predicted = all.argmax(1).to(torch::kUInt8);
        const torch::Tensor truth = torch::from_blob(const_cast<uint8_t *>(testLabels.data()), {test.count}, torch::kUInt8);
        result.testImages = long(test.count);
        result.testCorrect = long(predicted.eq(truth).sum().item<int64_t>());
        result.testLogits.assign(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
    }
    writeDemoFolder(model, folder);
    return result;
}

} // namespace sculpt
