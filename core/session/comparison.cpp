#include "session/comparison.h"

#include "session/data_file.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "io/formats.h"
#include "data/text.h"
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
    const std::vector<int32_t> tokens = generate(model, prompt, options, {}, job);
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
    if (!models.tokenizer) {
        std::string passed; // the tokenizer the pass ran with
        for (const DataFile &file : record.data)
            if (file.role == "tokenizer")
                passed = file.path;
        ModelTokenizer found = openModelTokenizer(checkpoint, passed, "compress again with one chosen");
        log("tokenizer " + found.path);
        models.tokenizer = std::move(found.tokenizer);
        models.tokenizerPath = found.path;
    }
    if (!models.compressed) {
        if (inMemory) {
            if (!inMemory->languageModel())
                throw std::invalid_argument("the pass compressed a vision model: compare it on images");
            // The pass's own model, kept alive by the result that holds it.
            models.compressed = std::shared_ptr<const LanguageModel>(inMemory, inMemory->languageModel());
        } else if (!record.exportPath.empty()) {
            log("loading the compressed model from " + record.exportPath);
            models.compressed = LanguageModel::load(*openCheckpoint(record.exportPath));
        } else {
            throw std::invalid_argument("the compressed model is no longer in memory and was never exported: run the "
                                        "pass again to compare it");
        }
    }
    if (!models.original) {
        log("loading the original model");
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

std::pair<Continuation, Continuation> compareGeneration(const ComparedModels &models, const std::string &prompt,
                                                        const GenerateOptions &options, const JobContext &job)
{
    const std::vector<int32_t> tokens = models.tokenizer->encode(prompt, /*bos=*/true);
    const int64_t context = std::min(models.original->contextLength(), models.compressed->contextLength());
    if (int64_t(tokens.size()) > context)
        throw std::invalid_argument("the prompt is " + std::to_string(tokens.size()) +
                                    " tokens, more than the model's context of " + std::to_string(context));
    GenerateOptions stopping = options;
    for (const int32_t stop : {models.tokenizer->bos(), models.tokenizer->eos()})
        if (stop >= 0)
            stopping.stop.push_back(stop);
    Continuation original = continueText(*models.original, *models.tokenizer, tokens, stopping, job);
    Continuation compressed = continueText(*models.compressed, *models.tokenizer, tokens, stopping, job);
    return {std::move(original), std::move(compressed)};
}

} // namespace sculpt
