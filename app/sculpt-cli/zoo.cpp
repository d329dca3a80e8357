// `sculpt-cli zoo`: trains the bundled demo models on data from Debian packages,
// deterministically, and checks that the runtime reads back what training measured.

#include "commands.h"
#include "ctrl_c.h"

#include "io/error.h"
#include "io/formats.h"
#include "progress_bar.h"
#include "runtime/accuracy.h"
#include "runtime/idx.h"
#include "runtime/image_classifier.h"
#include "runtime/vit_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

namespace sculpt::cli {
namespace {

constexpr const char *kUsage =
    "usage: sculpt-cli zoo [--out DIR] [--epochs N] [--seed S] [--threads N] [--train-limit N]\n";

// Debian's dataset-fashion-mnist.
constexpr const char *kFashionMnist = "/usr/share/datasets/fashion-mnist";
const std::vector<std::string> kFashionClasses{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
// Float32 sums in another order (batch sizes, kernels) differ by rounding only.
constexpr double kLogitTolerance = 1e-4;


struct Arguments {
    std::string out = "resources/models";
    VitTrainingOptions vit;
};

std::optional<long> wholeNumber(const std::string &option, const std::string &text, long least)
{
    char *end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value < least) {
        std::cerr << "sculpt-cli zoo: " << option << " takes a whole number ≥ " << least << ", not '" << text << "'\n";
        return std::nullopt;
    }
    return value;
}

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    Arguments a;
    a.vit.classNames = kFashionClasses;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (i + 1 >= args.size()) {
            std::cerr << (arg.starts_with("-") ? "sculpt-cli zoo: " + arg + " needs a value\n" : std::string(kUsage));
            return std::nullopt;
        }
        const std::string &value = args[++i];
        if (arg == "--out") {
            a.out = value;
            continue;
        }
        const bool isNumber = arg == "--epochs" || arg == "--seed" || arg == "--threads" || arg == "--train-limit";
        if (!isNumber) {
            std::cerr << "sculpt-cli zoo: unknown option '" << arg << "'\n" << kUsage;
            return std::nullopt;
        }
        const auto number = wholeNumber(arg, value, arg == "--seed" ? 0 : 1);
        if (!number)
            return std::nullopt;
        if (arg == "--epochs")
            a.vit.epochs = int(*number);
        else if (arg == "--seed")
            a.vit.seed = uint64_t(*number);
        else if (arg == "--threads")
            a.vit.threads = int(*number);
        else
            a.vit.trainLimit = *number;
    }
    return a;
}

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

} // namespace

int zoo(const std::vector<std::string> &rawArgs)
{
    const auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    const std::string data = kFashionMnist;
    IdxImages train, test;
    std::vector<uint8_t> trainLabels, testLabels;
    try {
        train = readIdxImages(data + "/train-images-idx3-ubyte.gz");
        trainLabels = readIdxLabels(data + "/train-labels-idx1-ubyte.gz");
        test = readIdxImages(data + "/t10k-images-idx3-ubyte.gz");
        testLabels = readIdxLabels(data + "/t10k-labels-idx1-ubyte.gz");
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli zoo: " << e.what() << " (Debian's dataset-fashion-mnist installs it)\n";
        return kBadInput;
    }

    const std::string folder = args->out + "/fashion-vit";
    const VitTrainingOptions &o = args->vit;
    // Before the first line of output, so whoever sees it can stop the training cleanly.
    const std::atomic<bool> *cancel = cancelOnCtrlC();
    std::printf("fashion-vit: ViT dim %lld, %lld layers, %lld heads, patch %lld; %d epochs, batch %lld, seed %llu, "
                "%d threads\n",
                (long long)o.dim, (long long)o.layers, (long long)o.heads, (long long)o.patchSize, o.epochs,
                (long long)o.batch, (unsigned long long)o.seed, o.threads);
    std::fflush(stdout);
    ProgressBar bar("steps");
    const JobContext job([&](const Progress &p) { bar.update(p); }, cancel);
    const auto started = std::chrono::steady_clock::now();
    VitTrainingResult result;
    try {
        result = trainVit(train, trainLabels, test, testLabels, o, folder, job);
    } catch (const std::invalid_argument &e) {
        bar.finish();
        std::cerr << "sculpt-cli zoo: " << e.what() << "\n";
        return kBadInput;
    } catch (const Cancelled &) {
        bar.finish();
        std::cerr << "sculpt-cli: cancelled\n";
        return kCancelled;
    }
    bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (size_t e = 0; e < result.epochLoss.size(); ++e)
        std::printf("epoch %zu    mean loss %.4f\n", e + 1, result.epochLoss[e]);
    std::printf("trained   %ld of %ld test images correct (%.2f %%) in %.0f s\nsaved     %s\n", result.testCorrect,
                result.testImages, 100.0 * double(result.testCorrect) / double(result.testImages), seconds,
                folder.c_str());
    return verify(folder, test, testLabels, result) ? kOk : kFailed;
}

} // namespace sculpt::cli
