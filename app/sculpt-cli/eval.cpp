// `sculpt-cli eval`: perplexity of a language model on a text, top-1 accuracy of an image
// classifier on an IDX image set, or a vision-language model's answer accuracy — measured as
// the window's Evaluate does (core/session), and recorded in the model's workspace, where the
// window's Evaluations table shows it.

#include "builtin_passes.h"
#include "commands.h"
#include "foreground_job.h"
#include "model_workspace.h"
#include "options.h"
#include "stop_signals.h"
#include "usage.h"

#include "io/error.h"
#include "io/formats.h"
#include "session/device_check.h"
#include "session/evaluation.h"
#include "workspace/workspace.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {
namespace {

double detail(const Evaluation &e, const char *name)
{
    const auto it = e.details.find(name);
    return it == e.details.end() ? std::nan("") : it->second;
}

void print(const Evaluation &e, bool json)
{
    if (e.metric == "perplexity") {
        const long documents = long(detail(e, "documents"));
        const double meanNll = detail(e, "mean_nll");
        if (json)
            std::cout << nlohmann::ordered_json{{"documents", documents}, {"tokens", e.count},
                                                {"mean_nll", meanNll}, {"perplexity", e.value}}
                             .dump(2)
                      << "\n";
        else
            std::printf("documents   %ld\ntokens      %lld\nmean NLL    %.6f nats/token\nperplexity  %.4f\n", documents,
                        (long long)e.count, meanNll, e.value);
        return;
    }
    const long correct = long(detail(e, "correct"));
    if (e.metric == "answer accuracy") {
        const double gflops = detail(e, "decoder_gflops_per_answer"), seconds = detail(e, "seconds_per_answer");
        if (json) {
            nlohmann::ordered_json out{{"questions", e.count}, {"correct", correct}, {"accuracy", e.value},
                                       {"seconds_per_answer", seconds}};
            if (!std::isnan(gflops))
                out["decoder_gflops_per_answer"] = gflops;
            std::cout << out.dump(2) << "\n";
        } else {
            std::printf("questions  %lld\ncorrect    %ld\naccuracy   %.2f %%\n", (long long)e.count, correct, 100 * e.value);
            if (!std::isnan(gflops))
                std::printf("decoder    %.4f GFLOPs per answer\n", gflops);
            std::printf("time       %.3f s per answer\n", seconds);
        }
        return;
    }
    if (json)
        std::cout << nlohmann::ordered_json{{"images", e.count}, {"correct", correct}, {"accuracy", e.value}}.dump(2)
                  << "\n";
    else
        std::printf("images    %lld\ncorrect   %ld\naccuracy  %.2f %%\n", (long long)e.count, correct, 100 * e.value);
}

} // namespace

int eval(const std::vector<std::string> &args)
{
    Options options("eval",
                    {"--text", "--tokenizer", "--max-docs", "--images", "--labels", "--config", "--limit", "--adapters",
                     "--vqa", "--max-tokens", "--workspace", "--device"},
                    {"--json"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() > 1) {
        options.fail("one MODEL only");
        return kBadInput;
    }
    const bool images = options.has("--images") || options.has("--labels");
    const bool questions = options.has("--vqa");
    if (options.positional().empty() || int(images) + int(questions) + int(options.has("--text")) != 1 ||
        (images && (!options.has("--images") || !options.has("--labels")))) {
        std::cerr << usageOf("eval");
        return kBadInput;
    }
    const auto maxDocuments = options.count("--max-docs", -1, 1);
    const auto limit = options.count("--limit", -1, 1);
    const auto maxTokens = options.count("--max-tokens", 16, 1);
    if (!maxDocuments || !limit || !maxTokens)
        return kBadInput;
    EvaluationRequest request;
    request.text = options.value("--text");
    request.tokenizer = options.value("--tokenizer");
    request.maxDocuments = *maxDocuments;
    request.images = options.value("--images");
    request.labels = options.value("--labels");
    request.config = options.value("--config");
    request.limit = *limit;
    request.adapters = options.value("--adapters");
    request.questions = options.value("--vqa");
    request.maxAnswerTokens = *maxTokens;
    request.device = options.value("--device", "cpu");

    const std::string model = options.positional()[0];
    std::unique_ptr<Checkpoint> checkpoint;
    std::optional<Workspace> workspace;
    try {
        checkDevice(request.device);
        checkpoint = openCheckpoint(model);
        workspace = openModelWorkspace(options, *checkpoint);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    } catch (const std::invalid_argument &e) {
        options.fail(e.what());
        return kBadInput;
    }
    registerBuiltinPasses(); // the adapter kinds whose folders --adapters reads
    Evaluation result;
    if (const auto ended = runInForeground("eval", images ? "images" : questions ? "questions" : "documents",
                                           cancelOnStopSignals(),
                                           [&](const JobContext &job) {
                                               result = evaluate(*checkpoint, request, job, [](const std::string &) {});
                                           }))
        return *ended;
    try {
        workspace->putEvaluation(result);
        workspace->save();
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kFailed;
    }
    print(result, options.has("--json"));
    return kOk;
}

} // namespace sculpt::cli
