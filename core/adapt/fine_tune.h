#pragma once
// Fine-tuning a vision model on a labelled image task with only some of its tensors trained:
// adapters and the classifier (parameter-efficient), the classifier alone (a linear probe), or
// everything (full fine-tuning). Torch inside: for adapt and plugin .cpp files only.

#include "job/job.h"
#include "runtime/model.h"

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace sculpt {

struct IdxImages;

// Images normalised for one model, with their labels.
struct LabelledImages {
    torch::Tensor pixels; // [N, C, H, W] float32
    torch::Tensor labels; // [N] int64
    int64_t count() const { return labels.defined() ? labels.size(0) : 0; }
};

// Throws std::invalid_argument when the images do not fit the model or a label is not one of
// its classes.
LabelledImages labelledImages(const VisionModel &model, const IdxImages &images, std::span<const uint8_t> labels);

struct FineTuneOptions {
    int epochs = 10;
    int64_t batch = 32;
    // AdamW's peak, warm-up then cosine decay; for adapters and a classifier (full fine-tuning
    // wants less).
    double learningRate = 1e-2;
    double weightDecay = 1e-4;
    uint64_t seed = 0;          // the order images are visited in
};

struct EpochRecord {
    int epoch = 0, epochs = 0;
    double trainLoss = 0;           // mean cross-entropy over the epoch's batches
    double validationAccuracy = 0;  // after the epoch
};

// Trains `trainable` (each of the model's tensors, or an adapter's) on `train` with every other
// tensor of the model frozen, reporting each epoch (on the job's thread) and checking for
// cancellation between batches. Returns one record per epoch.
std::vector<EpochRecord> fineTune(VisionModel &model, const std::vector<torch::Tensor> &trainable,
                                  const LabelledImages &train, const LabelledImages &validate,
                                  const FineTuneOptions &options, const std::function<void(const EpochRecord &)> &onEpoch,
                                  const JobContext &job);

// Top-1 accuracy, `batch` images per forward pass.
double accuracyOf(const VisionModel &model, const LabelledImages &data, int64_t batch = 256);

// The top-1 class of each of the first `count` images (fewer when there are fewer).
std::vector<int64_t> predictedClasses(const VisionModel &model, const LabelledImages &data, int64_t count);

int64_t elementCount(const std::vector<torch::Tensor> &tensors);

} // namespace sculpt
