#pragma once
// An image classifier ready to run: the torch-free face of the vision runtime, for the CLI,
// the window and the evaluation code, over any vision model (model.h). Vision Transformers so far.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

class ImageClassifier {
public:
    // Reads the config (config.json, and the sidecar at `sidecarPath` when not empty), then
    // copies the weights out of `checkpoint` as float32 onto `device` ("cpu", "cuda"…).
    // Throws FileError for a model it cannot run or whose weights disagree with its config,
    // std::invalid_argument for an unknown device.
    static std::unique_ptr<ImageClassifier> load(const Checkpoint &checkpoint, const std::string &sidecarPath = {},
                                                 const std::string &device = "cpu");
    ~ImageClassifier();

    int64_t classes() const;
    int64_t imageSize() const;
    // The class names the config gives, in class order; empty when it names none.
    std::vector<std::string> classNames() const;

    // `pixels` holds `count` images of imageSize² bytes per channel, row-major, with one channel
    // (grey, repeated into every channel the model takes) or as many as the model takes. Each
    // is normalised as the config says and run through the model in one batch. Throws
    // std::invalid_argument when the bytes are not `count` (≥ 1) such images.
    std::vector<float> logits(std::span<const uint8_t> pixels, int64_t count) const; // [count, classes()]
    std::vector<int32_t> classify(std::span<const uint8_t> pixels, int64_t count) const; // top-1 classes

private:
    struct Impl;
    friend std::unique_ptr<ImageClassifier> wrapImageClassifier(std::shared_ptr<const class VisionModel> model);
    explicit ImageClassifier(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The torch-free face over a model built in torch (a compressed copy, a freshly trained one).
std::unique_ptr<ImageClassifier> wrapImageClassifier(std::shared_ptr<const class VisionModel> model);

} // namespace sculpt
