// `sculpt-cli zoo`'s image demos: ViTs of a few shapes trained on Fashion-MNIST (Debian's
// dataset-fashion-mnist) by one recipe.

#include "zoo.h"

#include "commands.h"
#include "foreground_job.h"
#include "io/error.h"
#include "io/formats.h"
#include "runtime/accuracy.h"
#include "data/idx.h"
#include "runtime/image_classifier.h"
#include "runtime/vit_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace sculpt::cli {
namespace {

// Debian's dataset-fashion-mnist.
constexpr const char *kFashionMnist = "/usr/share/datasets/fashion-mnist";
const std::vector<std::string> kFashionClasses{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
// Float32 sums in another order (batch sizes, kernels) differ by rounding only.
constexpr double kLogitTolerance = 1e-4;

// The saved folder through the runtime: its accuracy must be the trainer's and its logits
// the training module's.
bool verify(const std::string &folder, const IdxImages &test, const std::vector<uint8_t> &labels,
            const VitTrainingResult &trained)
{
    const auto classifier = ImageClassifier::load(*openCheckpoint(folder));
    const AccuracyResult runtime = accuracy(*classifier, test, labels);
    double worst = 0;
    constexpr int64_t kBatch = 256;
    const int64_t area = test.rows * test.cols;
    for (int64_t first = 0; first < test.count; first += kBatch) {
        const int64_t n = std::min(kBatch, test.count - first);
        const std::vector<float> logits =
            classifier->logits(std::span(test.pixels).subspan(size_t(first * area), size_t(n * area)), n);
        for (size_t i = 0; i < logits.size(); ++i)
            worst = std::max(worst, double(std::abs(logits[i] - trained.testLogits[size_t(first) * kFashionClasses.size() + i])));
    }
    std::printf("runtime   %ld of %ld correct, logits within %.1e of training's\n", runtime.correct, runtime.images,
                worst);
    if (runtime.correct != trained.testCorrect || worst > kLogitTolerance) {
        std::cerr << "sculpt-cli zoo: " << folder << " does not run as it trained\n";
        return false;
    }
    return true;
}

int trainDemo(const VitDemo &demo, const FashionMnist &data, const ZooOptions &options,
              const std::atomic<bool> *cancel)
{
    const std::string folder = options.out + "/" + demo.name;
    VitTrainingOptions o;
    o.layers = demo.layers;
    o.heads = demo.heads;
    o.classNames = kFashionClasses;
    o.epochs = options.epochs.value_or(o.epochs);
    o.seed = options.seed;
    o.threads = options.threads;
    o.trainLimit = options.trainLimit;
    std::printf("%s: ViT dim %lld, %lld layers, %lld heads, patch %lld; %d epochs, batch %lld, seed %llu, "
                "%d threads\n",
                demo.name.c_str(), (long long)o.dim, (long long)o.layers, (long long)o.heads,
                (long long)o.patchSize, o.epochs, (long long)o.batch, (unsigned long long)o.seed, o.threads);
    std::fflush(stdout);
    const auto started = std::chrono::steady_clock::now();
    VitTrainingResult result;
    if (const auto ended = runInForeground("zoo", "steps", cancel, [&](const JobContext &job) {
            result = trainVit(data.train, data.trainLabels, data.test, data.testLabels, o, folder, job);
        }))
        return *ended;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (size_t e = 0; e < result.epochLoss.size(); ++e)
        std::printf("epoch %zu    mean loss %.4f\n", e + 1, result.epochLoss[e]);
    std::printf("trained   %ld of %ld test images correct (%.2f %%) in %.0f s\nsaved     %s\n", result.testCorrect,
                result.testImages, 100.0 * double(result.testCorrect) / double(result.testImages), seconds,
                folder.c_str());
    return verify(folder, data.test, data.testLabels, result) ? kOk : kFailed;
}

} // namespace

const std::vector<VitDemo> &vitDemos()
{
    static const std::vector<VitDemo> demos{
        {"fashion-vit", "vit", 4, 4},
        // Head size 8 (hidden 64 over 8 heads): more, smaller heads to rank and prune.
        {"fashion-vit-6x8", "vit-6x8", 6, 8},
    };
    return demos;
}

std::optional<FashionMnist> readFashionMnist()
{
    const std::string dir = kFashionMnist;
    try {
        FashionMnist data;
        data.train = readIdxImages(dir + "/train-images-idx3-ubyte.gz");
        data.trainLabels = readIdxLabels(dir + "/train-labels-idx1-ubyte.gz");
        data.test = readIdxImages(dir + "/t10k-images-idx3-ubyte.gz");
        data.testLabels = readIdxLabels(dir + "/t10k-labels-idx1-ubyte.gz");
        return data;
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli zoo: " << e.what() << " (Debian's dataset-fashion-mnist installs it)\n";
        return std::nullopt;
    }
}

int zooVit(const ZooOptions &options, const FashionMnist &data, const std::atomic<bool> *cancel)
{
    for (const VitDemo &demo : vitDemos())
        if (options.only.empty() || options.only == demo.key)
            if (const int code = trainDemo(demo, data, options, cancel); code != kOk)
                return code;
    return kOk;
}

} // namespace sculpt::cli
