// The ViT compression table of the README (issue 11): top-1 accuracy of the bundled fashion-vit
// on the 10,000 Fashion-MNIST test images, dense and after SVD, FWSVD, ASVD, SVD-LLM and SoCo
// at 20, 40 and 60 % of the block parameters removed, with each pass's run time. Calibration
// images (and labels, for FWSVD) are the first of the Fashion-MNIST training set — never a
// test image. Needs only Debian's dataset-fashion-mnist and the bundled model.
//   build/bench/bench_vit_compression [--calib-images N] [--ratios 0.2,0.4,0.6] [--methods a,b] [--threads N]
// Prints a Markdown table; one thread unless --threads N.

#include "builtin_passes.h"
#include "pass_table.h"
#include "compress/pass.h"
#include "data/idx.h"
#include "io/formats.h"
#include "runtime/accuracy.h"
#include "runtime/image_classifier.h"

#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <memory>

using namespace sculpt;

namespace {

constexpr const char *kData = "/usr/share/datasets/fashion-mnist/";

} // namespace

int main(int argc, char **argv)
{
    const auto table = bench::parsePassTable(argc, argv, "bench_vit_compression", "--calib-images", 1024);
    if (!table)
        return 2;
    const auto &[methods, ratios, calibrationImages, threads] = *table;
    torch::set_num_threads(threads);
    registerBuiltinPasses();
    const auto checkpoint = openCheckpoint(SCULPT_MODELS_DIR "/fashion-vit");
    CalibrationData calibration;
    IdxImages test;
    std::vector<uint8_t> testLabels;
    try {
        calibration.images = std::make_shared<const IdxImages>(readIdxImages(std::string(kData) + "train-images-idx3-ubyte.gz"));
        calibration.labels = readIdxLabels(std::string(kData) + "train-labels-idx1-ubyte.gz");
        test = readIdxImages(std::string(kData) + "t10k-images-idx3-ubyte.gz");
        testLabels = readIdxLabels(std::string(kData) + "t10k-labels-idx1-ubyte.gz");
    } catch (const std::exception &e) {
        std::cerr << "bench_vit_compression: " << e.what() << " (Debian's dataset-fashion-mnist installs it)\n";
        return 2;
    }
    calibration.count = calibrationImages;

    const AccuracyResult dense = accuracy(*ImageClassifier::load(*checkpoint), test, testLabels);
    std::printf("fashion-vit, top-1 accuracy on the %ld Fashion-MNIST test images; calibration: the first %ld "
                "training images; %d thread(s)\n\n",
                dense.images, calibrationImages, threads);
    std::printf("| method | ratio | achieved | accuracy | run time |\n|---|---|---|---|---|\n");
    std::printf("| dense | 0 %% | 0 %% | %.2f %% | — |\n", 100 * dense.accuracy());
    std::fflush(stdout);
    for (const std::string &ratio : ratios)
        for (const std::string &method : methods) {
            CompressionRequest request;
            request.ratio = std::stod(ratio);
            request.calibration = calibration;
            const CompressedModel c = runPass(*findPass(method), *checkpoint, {}, request);
            const AccuracyResult a = accuracy(*c.imageClassifier(), test, testLabels);
            std::printf("| %s | %.0f %% | %.1f %% | %.2f %% | %.1f s |\n", method.c_str(), 100 * request.ratio,
                        100 * c.summary().ratio, 100 * a.accuracy(), c.summary().seconds);
            std::fflush(stdout);
        }
    return 0;
}
