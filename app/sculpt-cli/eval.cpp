#include "commands.h"
#include "usage.h"
#include "stop_signals.h"

#include "data/text.h"
#include "foreground_job.h"
#include "io/error.h"
#include "model_loading.h"
#include "options.h"
#include "runtime/perplexity.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {
namespace {


struct Arguments {
    std::string model;
    std::string text;
    std::string tokenizer;
    long maxDocuments = -1; // all
    bool json = false;
};

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    Options options("eval", {"--text", "--tokenizer", "--max-docs"}, {"--json"});
    if (!options.parse(args))
        return std::nullopt;
    if (options.positional().size() > 1) {
        options.fail("one MODEL only");
        return std::nullopt;
    }
    if (options.positional().empty() || !options.has("--text")) {
        std::cerr << usageOf("eval");
        return std::nullopt;
    }
    const auto maxDocuments = options.count("--max-docs", -1, 1);
    if (!maxDocuments)
        return std::nullopt;
    return Arguments{options.positional()[0], options.value("--text"), options.value("--tokenizer"), *maxDocuments,
                     options.has("--json")};
}

void print(const PerplexityResult &r, bool json)
{
    if (json) {
        const nlohmann::ordered_json out{{"documents", r.documents},
                                         {"tokens", r.tokens},
                                         {"mean_nll", r.meanNll},
                                         {"perplexity", r.perplexity()}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::printf("documents   %ld\ntokens      %ld\nmean NLL    %.6f nats/token\nperplexity  %.4f\n", r.documents,
                r.tokens, r.meanNll, r.perplexity());
}

} // namespace

int eval(const std::vector<std::string> &rawArgs)
{
    // Image sets are measured by accuracy (eval_images.cpp), texts by perplexity.
    if (std::ranges::find(rawArgs, "--images") != rawArgs.end() || std::ranges::find(rawArgs, "--labels") != rawArgs.end())
        return evalImages(rawArgs);
    const auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    std::string text;
    try {
        text = readTextFile(args->text);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    }
    const auto loaded = loadModel(args->model, args->tokenizer);
    if (!loaded)
        return kBadInput;

    PerplexityResult result;
    if (const auto ended = runInForeground("eval", "documents", cancelOnStopSignals(), [&](const JobContext &job) {
            result = perplexity(*loaded->model, *loaded->tokenizer, text, args->maxDocuments, job);
        }))
        return *ended;
    if (result.tokens == 0) {
        std::cerr << "sculpt-cli eval: " << args->text << " has no document with a token to predict\n";
        return kBadInput;
    }
    print(result, args->json);
    return kOk;
}

} // namespace sculpt::cli
