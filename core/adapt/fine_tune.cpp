#include "adapt/fine_tune.h"

#include "data/idx.h"
#include "runtime/learning_rate.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace sculpt {

LabelledImages labelledImages(const VisionModel &model, const IdxImages &images, std::span<const uint8_t> labels)
{
    const int64_t size = model.imageFormat().size;
    if (images.rows != size || images.cols != size)
        throw std::invalid_argument("the images are " + std::to_string(images.rows) + "×" + std::to_string(images.cols) +
                                    " pixels but the model takes " + std::to_string(size) + "×" + std::to_string(size));
    if (images.count != int64_t(labels.size()) || images.count == 0)
        throw std::invalid_argument("not one label per image, or no images");
    for (const uint8_t l : labels)
        if (l >= model.classes())
            throw std::invalid_argument("label " + std::to_string(l) + " is not one of the model's " +
                                        std::to_string(model.classes()) + " classes");
    LabelledImages data;
    data.pixels = model.pixels(images.pixels.data(), images.pixels.size(), images.count);
    data.labels = torch::tensor(std::vector<int64_t>(labels.begin(), labels.end()), torch::kInt64).to(model.device());
    return data;
}

double accuracyOf(const VisionModel &model, const LabelledImages &data, int64_t batch)
{
    torch::NoGradGuard noGrad;
    int64_t correct = 0;
    for (int64_t first = 0; first < data.count(); first += batch) {
        const int64_t n = std::min(batch, data.count() - first);
        const torch::Tensor logits = model.forward(ModelInput::ofPixels(data.pixels.narrow(0, first, n))).logits;
        correct += logits.argmax(1).eq(data.labels.narrow(0, first, n)).sum().item<int64_t>();
    }
    return data.count() ? double(correct) / double(data.count()) : 0.0;
}

std::vector<int64_t> predictedClasses(const VisionModel &model, const LabelledImages &data, int64_t count)
{
    torch::NoGradGuard noGrad;
    const int64_t n = std::min(count, data.count());
    if (n <= 0)
        return {};
    const torch::Tensor classes =
        model.forward(ModelInput::ofPixels(data.pixels.narrow(0, 0, n))).logits.argmax(1).contiguous();
    return {classes.data_ptr<int64_t>(), classes.data_ptr<int64_t>() + n};
}

int64_t elementCount(const std::vector<torch::Tensor> &tensors)
{
    int64_t n = 0;
    for (const torch::Tensor &t : tensors)
        n += t.numel();
    return n;
}

std::vector<EpochRecord> fineTune(VisionModel &model, const std::vector<torch::Tensor> &trainable,
                                  const LabelledImages &train, const LabelledImages &validate,
                                  const FineTuneOptions &options, const std::function<void(const EpochRecord &)> &onEpoch,
                                  const JobContext &job)
{
    if (trainable.empty())
        throw std::invalid_argument("nothing to train");
    if (options.epochs < 1 || options.batch < 1)
        throw std::invalid_argument("epochs and batch must be at least 1");
    if (train.count() == 0 || validate.count() == 0)
        throw std::invalid_argument("fine-tuning needs training and validation images");
    for (auto &[name, t] : model.parameters())
        t.requires_grad_(false);
    std::vector<torch::Tensor> tensors;
    for (const torch::Tensor &t : trainable)
        tensors.push_back(torch::Tensor(t).requires_grad_(true));

    torch::optim::AdamW optimizer(tensors, torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
    torch::Generator order = at::detail::createCPUGenerator(options.seed);
    const int64_t n = train.count(), stepsPerEpoch = (n + options.batch - 1) / options.batch;
    const int64_t steps = stepsPerEpoch * options.epochs;
    std::vector<EpochRecord> records;
    int64_t step = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        const torch::Tensor permutation = torch::randperm(n, order, torch::kInt64).to(train.labels.device());
        double lossSum = 0;
        for (int64_t first = 0; first < n; first += options.batch, ++step) {
            job.checkCancelled();
            job.report(long(step), long(steps), "fine-tuning, epoch " + std::to_string(epoch));
            setLearningRate(optimizer, warmupCosineRate(options.learningRate, step, steps));
            const torch::Tensor batch = permutation.slice(0, first, std::min(n, first + options.batch));
            const torch::Tensor logits = model.forward(ModelInput::ofPixels(train.pixels.index_select(0, batch))).logits;
            const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, train.labels.index_select(0, batch));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
        }
        const EpochRecord record{epoch, options.epochs, lossSum / double(stepsPerEpoch), accuracyOf(model, validate)};
        records.push_back(record);
        if (onEpoch)
            onEpoch(record);
    }
    // Left as found: nothing requires a gradient.
    for (torch::Tensor &t : tensors)
        t.requires_grad_(false).mutable_grad() = torch::Tensor();
    return records;
}

} // namespace sculpt
