#include "runtime/image_classifier.h"

#include "runtime/device.h"
#include "runtime/vit.h"

#include <stdexcept>

namespace sculpt {

struct ImageClassifier::Impl {
    Vit vit;
    torch::Device device;

    torch::Tensor logits(std::span<const uint8_t> pixels, int64_t count) const
    {
        const VitConfig &c = vit.config();
        const auto area = uint64_t(c.imageSize * c.imageSize);
        const uint64_t channels = count > 0 ? pixels.size() / (uint64_t(count) * area) : 0;
        if (count <= 0 || pixels.size() != uint64_t(count) * area * channels ||
            (channels != 1 && channels != uint64_t(c.channels)))
            throw std::invalid_argument(std::to_string(pixels.size()) + " bytes are not " + std::to_string(count) +
                                        " images of " + std::to_string(c.imageSize) + "×" +
                                        std::to_string(c.imageSize) + " pixels in 1 or " +
                                        std::to_string(c.channels) + " channels");
        const auto options = torch::TensorOptions().dtype(torch::kFloat64);
        const torch::Tensor mean = torch::tensor(c.mean, options).view({1, c.channels, 1, 1});
        const torch::Tensor deviation = torch::tensor(c.std, options).view({1, c.channels, 1, 1});
        // from_blob only reads here: the bytes are converted into a new tensor at once.
        const torch::Tensor bytes = torch::from_blob(const_cast<uint8_t *>(pixels.data()),
                                                     {count, int64_t(channels), c.imageSize, c.imageSize}, torch::kUInt8);
        // In float64, then rounded once: the pixels a float64 preprocessing pipeline would give.
        // One grey channel broadcasts into every channel the model takes.
        const torch::Tensor normalised = (bytes.to(torch::kFloat64) * c.rescale - mean) / deviation;
        return vit.forward(normalised.to(device, torch::kFloat32));
    }
};

ImageClassifier::ImageClassifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageClassifier::~ImageClassifier() = default;

std::unique_ptr<ImageClassifier> ImageClassifier::load(const Checkpoint &checkpoint, const std::string &sidecarPath,
                                                       const std::string &device)
{
    const torch::Device where = parseDevice(device);
    const VitConfig config = readVitConfig(checkpoint, sidecarPath);
    c10::InferenceMode inference;
    return std::unique_ptr<ImageClassifier>(new ImageClassifier(std::make_unique<Impl>(Impl{Vit(checkpoint, config, where), where})));
}

const VitConfig &ImageClassifier::config() const { return impl_->vit.config(); }

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
