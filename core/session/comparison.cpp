#include "session/comparison.h"

#include "session/data_file.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "io/formats.h"
#include "data/text.h"
#include "data/idx.h"
#include "runtime/accuracy.h"
#include "runtime/image_classifier.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "runtime/model_tokenizer.h"

#include <chrono>
#include <stdexcept>

namespace sculpt {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Evaluation measure(const LanguageModel &model, const char *which, const ComparedModels &models,
                   const std::string &textFile, std::string_view text, long maxDocuments, const JobContext &job)
{
    const auto start = std::chrono::steady_clock::now();
    const PerplexityResult result = perplexity(model, *models.tokenizer, text, maxDocuments, job);
    if (result.tokens == 0)
        throw FileError(textFile, "has no document with a token to predict");
    Evaluation e;
    e.metric = "perplexity";
    e.value = result.perplexity();
    e.counted = "tokens";
    e.count = result.tokens;
    e.data = {describeDataFile("text", textFile), describeDataFile("tokenizer", models.tokenizerPath)};
    e.settings["model"] = which;
    if (maxDocuments >= 0)
        e.settings["max_documents"] = std::to_string(maxDocuments);
    e.details = {{"documents", double(result.documents)}, {"mean_nll", result.meanNll}};
    e.seconds = secondsSince(start);
    e.date = utcNow();
    return e;
}

Continuation continueText(const LanguageModel &model, const Tokenizer &tokenizer, const std::vector<int32_t> &prompt,
                          const GenerateOptions &options, const JobContext &job)
{
    const auto start = std::chrono::steady_clock::now();
    const std::vector<int32_t> tokens = generate(model, prompt, options, {}, job).tokens;
    std::vector<int32_t> all = prompt;
    all.insert(all.end(), tokens.begin(), tokens.end());
    // Decoded after the prompt, so the first new token reads as it follows it.
    std::string text;
    for (size_t i = prompt.size(); i < all.size(); ++i)
        text += tokenizer.decode(all[i - 1], all[i]);
    return {text, long(tokens.size()), secondsSince(start)};
}

} // namespace

ComparedModels loadCompared(const Checkpoint &checkpoint, const std::shared_ptr<const CompressedModel> &inMemory,
                            const PassRecord &record, ComparedModels models,
                            const std::function<void(const std::string &)> &log)
{
    const auto dataFile = [&](const char *role) {
        for (const DataFile &file : record.data)
            if (file.role == role)
                return file.path;
        return std::string();
    };
    if (record.modelKind == "layout")
        throw std::invalid_argument("the pass compressed a layout model: compare the layouts it generates (session/layout_generation.h)");
    const bool vision = record.modelKind == "vision";
    if (!vision && !models.tokenizer) {
        ModelTokenizer found = openModelTokenizer(checkpoint, dataFile("tokenizer"), "compress again with one chosen");
        log("tokenizer " + found.path);
        models.tokenizer = std::move(found.tokenizer);
        models.tokenizerPath = found.path;
    }
    const bool compressedLoaded = vision ? bool(models.compressedClassifier) : bool(models.compressed);
    if (!compressedLoaded) {
        if (inMemory) {
            // The pass's own model, kept alive by the result that holds it.
            if (vision)
                models.compressedClassifier = std::shared_ptr<const ImageClassifier>(inMemory, inMemory->imageClassifier());
            else
                models.compressed = std::shared_ptr<const LanguageModel>(inMemory, inMemory->languageModel());
        } else if (!record.exportPath.empty()) {
            log("loading the compressed model from " + record.exportPath);
            const auto exported = openCheckpoint(record.exportPath);
            if (vision)
                models.compressedClassifier = ImageClassifier::load(*exported);
            else
                models.compressed = LanguageModel::load(*exported);
        } else {
            throw std::invalid_argument("the compressed model is no longer in memory and was never exported: run the "
                                        "pass again to compare it");
        }
    }
    if (vision ? !models.originalClassifier : !models.original) {
        log("loading the original model");
        if (vision)
            models.originalClassifier = ImageClassifier::load(checkpoint, dataFile("config"));
        else
            models.original = LanguageModel::load(checkpoint);
    }
    return models;
}

std::pair<Evaluation, Evaluation> comparePerplexity(const ComparedModels &models, const std::string &textFile,
                                                    long maxDocuments, const JobContext &job)
{
    const std::string text = readTextFile(textFile);
    Evaluation original = measure(*models.original, "original", models, textFile, text, maxDocuments, job);
    Evaluation compressed = measure(*models.compressed, "compressed", models, textFile, text, maxDocuments, job);
    return {std::move(original), std::move(compressed)};
}

ImageComparison compareAccuracy(const ComparedModels &models, const std::string &imagesFile,
                                const std::string &labelsFile, long limit, const JobContext &job)
{
    if (!models.originalClassifier || !models.compressedClassifier)
        throw std::invalid_argument("the pass compressed a language model: compare it on text");
    const IdxImages images = readIdxImages(imagesFile);
    const std::vector<uint8_t> labels = readIdxLabels(labelsFile);
    ImageComparison c;
    const auto measure = [&](const ImageClassifier &model, const char *which, std::vector<int32_t> &classes) {
        const auto start = std::chrono::steady_clock::now();
        AccuracyResult r = accuracy(model, images, labels, limit, job);
        Evaluation e;
        e.metric = "accuracy";
        e.value = r.accuracy();
        e.counted = "images";
        e.count = r.images;
        e.data = {describeDataFile("images", imagesFile), describeDataFile("labels", labelsFile)};
        e.settings["model"] = which;
        if (limit >= 1)
            e.settings["limit"] = std::to_string(limit);
        e.details = {{"correct", double(r.correct)}};
        e.seconds = secondsSince(start);
        e.date = utcNow();
        classes = std::move(r.predicted);
        return e;
    };
    c.original = measure(*models.originalClassifier, "original", c.originalClasses);
    c.compressed = measure(*models.compressedClassifier, "compressed", c.compressedClasses);
    c.labels.assign(labels.begin(), labels.begin() + ptrdiff_t(c.originalClasses.size()));
    c.classNames = models.originalClassifier->classNames();
    return c;
}

std::pair<Continuation, Continuation> compareGeneration(const ComparedModels &models, const std::string &prompt,
                                                        const GenerateOptions &options, const JobContext &job)
{
    const std::vector<int32_t> tokens = models.tokenizer->encode(prompt, /*bos=*/true);
    const int64_t context = std::min(models.original->contextLength(), models.compressed->contextLength());
    if (int64_t(tokens.size()) > context)
        throw std::invalid_argument("the prompt is " + std::to_string(tokens.size()) +
                                    " tokens, more than the model's context of " + std::to_string(context));
    GenerateOptions stopping = options;
    const std::vector<int32_t> ends = textEnds(*models.tokenizer);
    stopping.stop.insert(stopping.stop.end(), ends.begin(), ends.end());
    Continuation original = continueText(*models.original, *models.tokenizer, tokens, stopping, job);
    Continuation compressed = continueText(*models.compressed, *models.tokenizer, tokens, stopping, job);
    return {std::move(original), std::move(compressed)};
}

} // namespace sculpt
