#include "runtime/image_classifier.h"

#include "runtime/device.h"
#include "runtime/model_family.h"

#include <stdexcept>

namespace sculpt {

struct ImageClassifier::Impl {
    std::shared_ptr<const VisionModel> model;

    torch::Tensor logits(std::span<const uint8_t> pixels, int64_t count) const
    {
        return model->forward(ModelInput::ofPixels(model->pixels(pixels.data(), pixels.size(), count))).logits;
    }
};

ImageClassifier::ImageClassifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageClassifier::~ImageClassifier() = default;

std::unique_ptr<ImageClassifier> wrapImageClassifier(std::shared_ptr<const VisionModel> model)
{
    return std::unique_ptr<ImageClassifier>(new ImageClassifier(std::make_unique<ImageClassifier::Impl>(std::move(model))));
}

std::unique_ptr<ImageClassifier> ImageClassifier::load(const Checkpoint &checkpoint, const std::string &sidecarPath,
                                                       const std::string &device)
{
    const torch::Device where = parseDevice(device);
    c10::InferenceMode inference;
    std::unique_ptr<Model> model = loadModel(checkpoint, ModelKind::Vision, where, {sidecarPath});
    return wrapImageClassifier(std::shared_ptr<const VisionModel>(static_cast<VisionModel *>(model.release())));
}

int64_t ImageClassifier::classes() const { return impl_->model->classes(); }
int64_t ImageClassifier::imageSize() const { return impl_->model->imageFormat().size; }

std::vector<std::string> ImageClassifier::classNames() const { return impl_->model->classNames(); }

std::vector<float> ImageClassifier::logits(std::span<const uint8_t> pixels, int64_t count) const
{
    c10::InferenceMode inference;
    const torch::Tensor cpu = impl_->logits(pixels, count).to(torch::kCPU).contiguous();
    return std::vector<float>(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
}

std::vector<int32_t> ImageClassifier::classify(std::span<const uint8_t> pixels, int64_t count) const
{
    c10::InferenceMode inference;
    const torch::Tensor top = impl_->logits(pixels, count).argmax(1).to(torch::kCPU, torch::kInt32).contiguous();
    return std::vector<int32_t>(top.data_ptr<int32_t>(), top.data_ptr<int32_t>() + top.numel());
}

} // namespace sculpt
