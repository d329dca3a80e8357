#pragma once
// Trains a small Vision Transformer from scratch on an IDX image set and saves it as a Hugging
// Face ViT folder (config.json + model.safetensors) that the runtime runs as it is: the demo
// model `sculpt-cli zoo` makes. Deterministic: the same data, options and thread count give the
// same bytes. Torch-free.

#include "job/job.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

struct IdxImages;

struct VitTrainingOptions {
    int64_t patchSize = 7;
    int64_t dim = 64;
    int64_t layers = 4;
    int64_t heads = 4;
    int64_t hiddenDim = 128;
    std::vector<std::string> classNames; // id2label; one class per name
    int epochs = 3;
    int64_t batch = 128;
    double learningRate = 2e-3; // AdamW's peak, after a linear warm-up, then a cosine decay
    double weightDecay = 0.05;
    uint64_t seed = 0;
    // Intra-op threads: a reduction's order, and so its rounding, may depend on it. One by
    // default: on a busy machine OpenMP's spinning workers made two threads 10× slower.
    int threads = 1;
    long trainLimit = -1; // the first N training images; all when negative
};

struct VitTrainingResult {
    std::vector<double> epochLoss;   // mean training cross-entropy of each epoch
    long testImages = 0, testCorrect = 0; // the trained module's own top-1 on the test set
    std::vector<float> testLogits;   // [testImages, classes], for checking the saved file
};

// Trains on `train` (all images the same size, a multiple of patchSize), evaluates on `test`
// and writes `folder`/config.json and `folder`/model.safetensors atomically (the folder is
// created). The pixel mean and deviation are the training set's. Reports progress per step,
// throws Cancelled when asked to stop (nothing is written then), std::invalid_argument for
// options or data that do not go together.
VitTrainingResult trainVit(const IdxImages &train, std::span<const uint8_t> trainLabels, const IdxImages &test,
                           std::span<const uint8_t> testLabels, const VitTrainingOptions &options,
                           const std::string &folder, const JobContext &job = {});

} // namespace sculpt
