#include "session/evaluation.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "data/text.h"
#include "runtime/accuracy.h"
#include "data/idx.h"
#include "runtime/image_classifier.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "runtime/model_tokenizer.h"
#include "session/data_file.h"
#include "session/weights_hash.h"

#include <chrono>
#include <stdexcept>

namespace sculpt {
namespace {

using Log = std::function<void(const std::string &)>;
// Runs once the data is known to be good, before the model is loaded.
using BeforeLoading = std::function<void()>;

Evaluation measurePerplexity(const Checkpoint &checkpoint, const EvaluationRequest &request, const JobContext &job,
                             const Log &log, const BeforeLoading &beforeLoading)
{
    const std::string text = readTextFile(request.text);
    const ModelTokenizer tokenizer = openModelTokenizer(checkpoint, request.tokenizer, "choose one");
    log("tokenizer " + tokenizer.path);
    beforeLoading();
    log("loading the model");
    const auto model = LanguageModel::load(checkpoint);
    log("measuring perplexity");
    const PerplexityResult result =
        perplexity(*model, *tokenizer.tokenizer, text, request.maxDocuments, job);
    if (result.tokens == 0)
        throw FileError(request.text, "has no document with a token to predict");

    Evaluation e;
    e.metric = "perplexity";
    e.value = result.perplexity();
    e.counted = "tokens";
    e.count = result.tokens;
    e.data = {describeDataFile("text", request.text), describeDataFile("tokenizer", tokenizer.path)};
    if (request.maxDocuments >= 0)
        e.settings["max_documents"] = std::to_string(request.maxDocuments);
    e.details = {{"documents", double(result.documents)}, {"mean_nll", result.meanNll}};
    return e;
}

Evaluation measureAccuracy(const Checkpoint &checkpoint, const EvaluationRequest &request, const JobContext &job,
                           const Log &log, const BeforeLoading &beforeLoading)
{
    if (request.labels.empty())
        throw std::invalid_argument("an image set needs its labels file too");
    const IdxImages images = readIdxImages(request.images);
    const std::vector<uint8_t> labels = readIdxLabels(request.labels);
    if (images.count == 0)
        throw FileError(request.images, "holds no images");
    log("read " + std::to_string(images.count) + " images of " + std::to_string(images.rows) + "×" +
        std::to_string(images.cols));
    beforeLoading();
    log("loading the model");
    const auto classifier = ImageClassifier::load(checkpoint, request.config);
    log("measuring accuracy");
    const AccuracyResult result = accuracy(*classifier, images, labels, request.limit, job);

    Evaluation e;
    e.metric = "accuracy";
    e.value = result.accuracy();
    e.counted = "images";
    e.count = result.images;
    e.data = {describeDataFile("images", request.images), describeDataFile("labels", request.labels)};
    if (!request.config.empty())
        e.data.push_back(describeDataFile("config", request.config));
    if (request.limit >= 1)
        e.settings["limit"] = std::to_string(request.limit);
    e.details = {{"correct", double(result.correct)}};
    return e;
}

} // namespace

bool canEvaluate() { return true; }

Evaluation evaluate(const Checkpoint &checkpoint, const EvaluationRequest &request, const JobContext &job,
                    const std::function<void(const std::string &)> &log)
{
    if (request.text.empty() == request.images.empty())
        throw std::invalid_argument("evaluate on a text or on an image set, one of the two");
    const auto started = std::chrono::steady_clock::now();
    // Hashed before the measurement, which then has the progress bar to the end.
    std::string weights;
    const auto hashWeights = [&] {
        log("hashing the weights");
        weights = weightsHash(checkpoint, job);
    };
    Evaluation e = request.isPerplexity() ? measurePerplexity(checkpoint, request, job, log, hashWeights)
                                          : measureAccuracy(checkpoint, request, job, log, hashWeights);
    e.modelHash = weights;
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    e.date = utcNow();
    return e;
}

} // namespace sculpt
