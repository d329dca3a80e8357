#include "runtime/accuracy.h"

#include "data/idx.h"
#include "runtime/image_classifier.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>

namespace sculpt {
namespace {

void check(const ImageClassifier &classifier, const IdxImages &images, std::span<const uint8_t> labels, long count)
{
    if (images.count != int64_t(labels.size()))
        throw std::invalid_argument(std::to_string(images.count) + " images but " + std::to_string(labels.size()) +
                                    " labels: not one label per image");
    if (images.rows != classifier.imageSize() || images.cols != classifier.imageSize())
        throw std::invalid_argument("the images are " + std::to_string(images.rows) + "×" + std::to_string(images.cols) +
                                    " pixels but the model takes " + std::to_string(classifier.imageSize()) + "×" +
                                    std::to_string(classifier.imageSize()));
    const auto first = labels.first(size_t(count));
    if (const auto worst = std::max_element(first.begin(), first.end());
        worst != first.end() && *worst >= classifier.classes())
        throw std::invalid_argument("label " + std::to_string(*worst) + " (image " +
                                    std::to_string(worst - first.begin()) + ") is not one of the model's " +
                                    std::to_string(classifier.classes()) + " classes");
}

} // namespace

double AccuracyResult::accuracy() const
{
    return images > 0 ? double(correct) / double(images) : std::numeric_limits<double>::quiet_NaN();
}

AccuracyResult accuracy(const ImageClassifier &classifier, const IdxImages &images, std::span<const uint8_t> labels,
                        long limit, const JobContext &job, int64_t batch)
{
    const long total = limit >= 0 ? long(std::min<int64_t>(limit, images.count)) : long(images.count);
    check(classifier, images, labels, total);
    const auto started = std::chrono::steady_clock::now();
    AccuracyResult result;
    const int64_t area = images.rows * images.cols;
    while (result.images < total) {
        job.checkCancelled();
        const long n = long(std::min<int64_t>(batch, total - result.images));
        const auto pixels = std::span(images.pixels).subspan(size_t(result.images * area), size_t(n * area));
        const std::vector<int32_t> predicted = classifier.classify(pixels, n);
        for (long i = 0; i < n; ++i)
            result.correct += predicted[size_t(i)] == labels[size_t(result.images + i)];
        result.predicted.insert(result.predicted.end(), predicted.begin(), predicted.end());
        result.images += n;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        job.report(result.images, total, {}, elapsed / double(result.images) * double(total - result.images));
    }
    return result;
}

} // namespace sculpt
