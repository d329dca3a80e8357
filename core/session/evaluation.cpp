#include "session/evaluation.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "data/text.h"
#include "runtime/accuracy.h"
#include "runtime/device.h"
#include "runtime/image_answers.h"
#include "runtime/vision_prompt.h"
#include "data/idx.h"
#include "adapt/peft.h"
#include "runtime/image_classifier.h"
#include "runtime/model_family.h"
#include "runtime/model_kind.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "runtime/model_tokenizer.h"
#include "session/data_file.h"
#include "session/weights_hash.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace sculpt {
namespace {

using Log = std::function<void(const std::string &)>;
// Runs once the data is known to be good, before the model is loaded.
using BeforeLoading = std::function<void()>;

// The adapter folder's two files among the data: a result of other adapters is told apart.
void describeAdapters(const EvaluationRequest &request, Evaluation &e)
{
    if (request.adapters.empty())
        return;
    const std::filesystem::path folder(request.adapters);
    e.data.push_back(describeDataFile("adapter_config", (folder / kPeftConfigFile).string()));
    e.data.push_back(describeDataFile("adapter_weights", (folder / kPeftWeightsFile).string()));
}

// The model with the request's adapters attached, when it names a folder.
std::unique_ptr<Model> adaptedModel(const Checkpoint &checkpoint, ModelKind kind, const EvaluationRequest &request,
                                    const Log &log)
{
    std::unique_ptr<Model> model = loadModel(checkpoint, kind, parseDevice(request.device), ModelOptions{request.config});
    const PeftLoad load = attachPeft(*model, request.adapters);
    log(load.config.peftType + " adapters on " + std::to_string(load.adaptedSites.size()) + " layers from " +
        request.adapters);
    return model;
}

std::unique_ptr<LanguageModel> languageModelOf(const Checkpoint &checkpoint, const EvaluationRequest &request, const Log &log)
{
    if (request.adapters.empty())
        return LanguageModel::load(checkpoint, request.device);
    std::shared_ptr<Model> model = adaptedModel(checkpoint, ModelKind::Language, request, log);
    return wrapLanguageModel(std::dynamic_pointer_cast<const CausalModel>(model));
}

std::unique_ptr<ImageClassifier> imageClassifierOf(const Checkpoint &checkpoint, const EvaluationRequest &request,
                                                   const Log &log)
{
    if (request.adapters.empty())
        return ImageClassifier::load(checkpoint, request.config, request.device);
    std::shared_ptr<Model> model = adaptedModel(checkpoint, ModelKind::Vision, request, log);
    return wrapImageClassifier(std::dynamic_pointer_cast<const VisionModel>(model));
}

Evaluation measurePerplexity(const Checkpoint &checkpoint, const EvaluationRequest &request, const JobContext &job,
                             const Log &log, const BeforeLoading &beforeLoading)
{
    const std::string text = readTextFile(request.text);
    const ModelTokenizer tokenizer = openModelTokenizer(checkpoint, request.tokenizer, "choose one");
    log("tokenizer " + tokenizer.path);
    beforeLoading();
    log("loading the model");
    const auto model = languageModelOf(checkpoint, request, log);
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
    describeAdapters(request, e);
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
    const auto classifier = imageClassifierOf(checkpoint, request, log);
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
    describeAdapters(request, e);
    if (request.limit >= 1)
        e.settings["limit"] = std::to_string(request.limit);
    e.details = {{"correct", double(result.correct)}};
    return e;
}

// Answer accuracy: each answer compared with the reference as VQA does (image_answers.h), with
// the decoder's mean multiply-adds and seconds per answer among the details.
Evaluation measureAnswers(const Checkpoint &checkpoint, const EvaluationRequest &request, const JobContext &job,
                          const Log &log, const BeforeLoading &beforeLoading)
{
    std::vector<ImageQuestion> questions = readImageQuestions(request.questions);
    if (request.limit >= 1 && size_t(request.limit) < questions.size())
        questions.resize(size_t(request.limit));
    requireImages(questions, request.questions);
    if (request.maxAnswerTokens < 1)
        throw std::invalid_argument("an answer is at least one token long");
    if (!readsImages(checkpoint))
        throw std::invalid_argument("the model reads no images: answer accuracy needs a vision-language model");
    const ModelTokenizer tokenizer = openModelTokenizer(checkpoint, request.tokenizer, "choose one");
    log("tokenizer " + tokenizer.path);
    beforeLoading();
    log("loading the model");
    const auto model = languageModelOf(checkpoint, request, log);
    const ImageProcessorConfig processor = imageProcessorFor(checkpoint.path(), model->imagePrompt().value());
    log("answering " + std::to_string(questions.size()) + " questions");
    long correct = 0;
    double macs = 0, seconds = 0;
    for (size_t i = 0; i < questions.size(); ++i) {
        job.report(long(i), long(questions.size()), "answering");
        const ImageAnswer a =
            answerImageQuestion(*model, *tokenizer.tokenizer, processor, questions[i], request.maxAnswerTokens, job);
        correct += answersMatch(a.text, questions[i].answer);
        macs += double(a.decoderMacs);
        seconds += a.seconds;
    }
    const double n = double(questions.size());
    Evaluation e;
    e.metric = "answer accuracy";
    e.value = double(correct) / n;
    e.counted = "questions";
    e.count = int64_t(questions.size());
    e.data = {describeDataFile("questions", request.questions), describeDataFile("tokenizer", tokenizer.path)};
    describeAdapters(request, e);
    if (request.limit >= 1)
        e.settings["limit"] = std::to_string(request.limit);
    e.settings["max_answer_tokens"] = std::to_string(request.maxAnswerTokens);
    e.details = {{"correct", double(correct)}, {"seconds_per_answer", seconds / n}};
    if (macs >= 0)
        e.details["decoder_gflops_per_answer"] = 2e-9 * macs / n;
    return e;
}

} // namespace

bool canEvaluate() { return true; }

Evaluation evaluate(const Checkpoint &checkpoint, const EvaluationRequest &request, const JobContext &job,
                    const std::function<void(const std::string &)> &log)
{
    if (int(!request.text.empty()) + int(!request.images.empty()) + int(!request.questions.empty()) != 1)
        throw std::invalid_argument("evaluate on a text, an image set or questions about images, one of them");
    const auto started = std::chrono::steady_clock::now();
    // Hashed before the measurement, which then has the progress bar to the end.
    std::string weights;
    const auto hashWeights = [&] {
        log("hashing the weights");
        weights = weightsHash(checkpoint, job);
    };
    Evaluation e = request.isPerplexity()         ? measurePerplexity(checkpoint, request, job, log, hashWeights)
                   : !request.questions.empty() ? measureAnswers(checkpoint, request, job, log, hashWeights)
                                                : measureAccuracy(checkpoint, request, job, log, hashWeights);
    e.modelHash = weights;
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    e.date = utcNow();
    return e;
}

} // namespace sculpt
