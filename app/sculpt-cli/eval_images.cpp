// `sculpt-cli eval MODEL --images IDX --labels IDX`: top-1 accuracy of an image classifier.

#include "commands.h"
#include "usage.h"
#include "stop_signals.h"
#include "options.h"

#include "foreground_job.h"
#include "io/error.h"
#include "io/formats.h"
#include "runtime/accuracy.h"
#include "data/idx.h"
#include "runtime/image_classifier.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

namespace sculpt::cli {
namespace {


struct Arguments {
    std::string model;
    std::string images;
    std::string labels;
    std::string config; // the sidecar, or none
    long limit = -1;    // all
    bool json = false;
};

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    Options options("eval", {"--images", "--labels", "--config", "--limit"}, {"--json"});
    if (!options.parse(args))
        return std::nullopt;
    if (options.positional().size() > 1) {
        options.fail("one MODEL only");
        return std::nullopt;
    }
    if (options.positional().empty() || !options.has("--images") || !options.has("--labels")) {
        std::cerr << usageOf("eval");
        return std::nullopt;
    }
    const auto limit = options.count("--limit", -1, 1);
    if (!limit)
        return std::nullopt;
    return Arguments{options.positional()[0], options.value("--images"), options.value("--labels"),
                     options.value("--config"), *limit, options.has("--json")};
}

void print(const AccuracyResult &r, bool json)
{
    if (json) {
        const nlohmann::ordered_json out{{"images", r.images}, {"correct", r.correct}, {"accuracy", r.accuracy()}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::printf("images    %ld\ncorrect   %ld\naccuracy  %.2f %%\n", r.images, r.correct, 100 * r.accuracy());
}

} // namespace

int evalImages(const std::vector<std::string> &rawArgs)
{
    const auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    // The data first: a bad image file fails in milliseconds, before the model is copied.
    IdxImages images;
    std::vector<uint8_t> labels;
    std::unique_ptr<ImageClassifier> classifier;
    try {
        images = readIdxImages(args->images);
        labels = readIdxLabels(args->labels);
        classifier = ImageClassifier::load(*openCheckpoint(args->model), args->config);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    }
    if (images.count == 0) {
        std::cerr << "sculpt-cli eval: " << args->images << " holds no images\n";
        return kBadInput;
    }

    AccuracyResult result;
    if (const auto ended = runInForeground("eval", "images", cancelOnStopSignals(), [&](const JobContext &job) {
            result = accuracy(*classifier, images, labels, args->limit, job);
        }))
        return *ended;
    print(result, args->json);
    return kOk;
}

} // namespace sculpt::cli
