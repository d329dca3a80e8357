#pragma once
// Top-1 accuracy of an image classifier on a labelled image set (IDX: MNIST, Fashion-MNIST).

#include "job/job.h"

#include <cstdint>
#include <span>
#include <vector>

namespace sculpt {

class ImageClassifier;
struct IdxImages;

struct AccuracyResult {
    long images = 0;
    long correct = 0;
    std::vector<int32_t> predicted; // the top-1 class of each image, in order
    double accuracy() const;        // correct / images; NaN when there were none
};

// The first `limit` images (all when limit < 0), `batch` per forward pass, each counted
// correct when the classifier's top-1 class is its label. Throws std::invalid_argument when
// the images and labels do not go together or do not fit the model (counts, size, a label
// outside its classes) — before any image is run; reports progress per batch and throws
// Cancelled when asked to stop.
AccuracyResult accuracy(const ImageClassifier &classifier, const IdxImages &images, std::span<const uint8_t> labels,
                        long limit = -1, const JobContext &job = {}, int64_t batch = 256);

} // namespace sculpt
