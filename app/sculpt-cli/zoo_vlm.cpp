// `sculpt-cli zoo`'s vision-language demo: fashion-vit as the tower, fortunes-llama as the
// decoder, trained LLaVA's way on templated questions about Fashion-MNIST's training images;
// scored on questions about its test images, written as files `eval --vqa` and
// `compress --calib-images` read.

#include "zoo.h"

#include "commands.h"
#include "foreground_job.h"
#include "data/fashion_questions.h"
#include "io/error.h"
#include "io/formats.h"
#include "runtime/language_model.h"
#include "runtime/llava_training.h"
#include "session/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace sculpt::cli {
namespace {

// Float32 sums in another order (batch shapes, kernels) differ by rounding only.
constexpr double kLogitTolerance = 1e-4;
// Questions about the first test images score the model; some training images calibrate passes.
constexpr int64_t kTestImages = 1000;
constexpr int64_t kCalibrationImages = 256;

// The saved folder through the runtime: the probe's logits as training left them, then the
// answers to the test questions exactly as `sculpt-cli eval --vqa` measures them. An exit code.
int verify(const std::string &folder, const std::string &testQuestions, const LlavaTrainingResult &trained,
            const std::atomic<bool> *cancel)
{
    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(folder);
    const auto model = LanguageModel::load(*checkpoint);
    const std::vector<float> logits = model->decoder().prompt(trained.probeTokens, trained.probePixels);
    double worst = logits.size() == trained.probeLogits.size() ? 0 : INFINITY;
    for (size_t i = 0; i < std::min(logits.size(), trained.probeLogits.size()); ++i)
        worst = std::max(worst, double(std::abs(logits[i] - trained.probeLogits[i])));
    std::printf("runtime   logits within %.1e of training's\n", worst);
    if (worst > kLogitTolerance) {
        std::cerr << "sculpt-cli zoo: " << folder << " does not run as it trained\n";
        return kFailed;
    }
    EvaluationRequest request;
    request.questions = testQuestions;
    Evaluation scored;
    if (const auto ended = runInForeground("zoo", "questions", cancel, [&](const JobContext &job) {
            scored = evaluate(*checkpoint, request, job, [](const std::string &) {});
        }))
        return *ended;
    std::printf("runtime   test answer accuracy: %.0f of %lld questions (%.2f %%), %.4f decoder GFLOPs and %.4f s "
                "per answer\n",
                scored.details.at("correct"), static_cast<long long>(scored.count), 100 * scored.value,
                scored.details.at("decoder_gflops_per_answer"), scored.details.at("seconds_per_answer"));
    return kOk;
}

} // namespace

int zooVlm(const ZooOptions &options, const FashionMnist &data, const std::atomic<bool> *cancel)
{
    const std::string folder = options.out + "/fashion-llava";
    LlavaTrainingOptions o;
    o.tower = options.out + "/fashion-vit";
    o.decoder = options.out + "/fortunes-llama";
    o.seed = options.seed;
    o.threads = options.threads;
    for (const std::string &from : {o.tower, o.decoder})
        if (!std::filesystem::is_directory(from)) {
            std::cerr << "sculpt-cli zoo: fashion-llava is made from " << o.tower << " and " << o.decoder
                      << "; there is no " << from << " (train it first: --only vit, --only lm)\n";
            return kBadInput;
        }
    std::printf("fashion-llava: tower %s, decoder %s, projector then decoder (%ld + %ld steps of %lld questions), "
                "seed %llu, %d threads\n",
                o.tower.c_str(), o.decoder.c_str(), o.projectorSteps, o.decoderSteps, (long long)o.batch,
                (unsigned long long)o.seed, o.threads);
    std::fflush(stdout);

    std::string testQuestions;
    if (const auto ended = runInForeground("zoo", "images", cancel, [&](const JobContext &job) {
            testQuestions = writeFashionQuestions(data.test, data.testLabels, 0, kTestImages,
                                                  options.data + "/test", job);
            writeFashionQuestions(data.train, data.trainLabels, data.train.count - kCalibrationImages,
                                  kCalibrationImages, options.data + "/calibration", job);
        }))
        return *ended;
    std::printf("questions %s (the first %lld test images), %s/calibration/questions.json (the last %lld training "
                "images)\n",
                testQuestions.c_str(), (long long)kTestImages, options.data.c_str(), (long long)kCalibrationImages);
    std::fflush(stdout);

    const auto started = std::chrono::steady_clock::now();
    LlavaTrainingResult result;
    if (const auto ended = runInForeground("zoo", "steps", cancel, [&](const JobContext &job) {
            result = trainLlava(data.train, data.trainLabels, o, folder, job);
        }))
        return *ended;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const char *stages[] = {"projector", "projector and decoder"};
    for (size_t s = 0; s < result.stageLoss.size(); ++s)
        std::printf("stage %zu   %-22s mean answer loss %.4f, last tenth %.4f\n", s + 1, stages[s], result.stageLoss[s],
                    result.finalLoss[s]);
    std::printf("trained   %ld steps on %ld questions in %.0f s\nsaved     %s\n", result.steps, result.questions, seconds,
                folder.c_str());
    return verify(folder, testQuestions, result, cancel);
}

} // namespace sculpt::cli
