// `sculpt-cli pear`: Pear's prune and share, as core/session runs it — adapters fine-tuned on an
// image task (the warm-up), each scored by its Taylor importance, the fraction P with the lowest
// scores pruned, their positions served by kept adapters (or not: --no-share), what they learned
// kept (or not: --no-checkpoint), then fine-tuned on and measured on the test images.

#include "commands.h"
#include "options.h"
#include "task_command.h"
#include "usage.h"

#include "builtin_passes.h"
#include "session/adaptation_records.h"
#include "session/adapter_pruning.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {
namespace {

void printJson(const PruneAdaptersRun &run, const std::string &output)
{
    nlohmann::ordered_json adapters = nlohmann::json::array();
    const std::vector<int64_t> ranks = adapterRanks(run.scores);
    for (size_t i = 0; i < run.scores.size(); ++i) {
        const AdapterScore &s = run.scores[i];
        nlohmann::ordered_json a{{"site", s.position.site},     {"layer", s.position.layer},
                                 {"role", s.position.role},     {"kind", s.position.kind},
                                 {"parameters", s.position.parameters}, {"score", s.score},
                                 {"rank", ranks[i]},            {"pruned", bool(run.sharing.pruned[i])}};
        if (run.sharing.servedBy[i] >= 0)
            a["served_by"] = run.scores[size_t(run.sharing.servedBy[i])].position.site;
        adapters.push_back(a);
    }
    nlohmann::ordered_json epochs = nlohmann::json::array();
    for (const AdaptationEpoch &e : run.curve)
        epochs.push_back({{"epoch", e.epoch}, {"train_loss", e.trainLoss}, {"validation_accuracy", e.validationAccuracy}});
    std::cout << nlohmann::ordered_json{{"prune", run.sharing.fraction},
                                        {"share", run.sharing.rule},
                                        {"knowledge_checkpoint", run.sharing.knowledgeCheckpoint},
                                        {"adapters", adapters},
                                        {"epochs", epochs},
                                        {"validation_accuracy", run.validationAccuracy},
                                        {"pruned_validation_accuracy", run.prunedValidationAccuracy},
                                        {"final_validation_accuracy", run.finalValidationAccuracy},
                                        {"unpruned_test_accuracy", run.preview.beforeTestAccuracy},
                                        {"test_accuracy", run.testAccuracy},
                                        {"trainable", run.trainable},
                                        {"adapter_parameters", {{"before", run.adapterParametersBefore},
                                                                {"after", run.adapterParametersAfter}}},
                                        {"output", output.empty() ? nlohmann::json() : nlohmann::json(output)}}
                     .dump(2)
              << "\n";
}

void printTable(const PruneAdaptersRun &run, const std::string &output)
{
    const std::vector<int64_t> ranks = adapterRanks(run.scores);
    std::printf("%-5s %-6s %-11s %12s %5s  %s\n", "layer", "role", "kind", "score", "rank", "");
    for (size_t i = 0; i < run.scores.size(); ++i) {
        const AdapterScore &s = run.scores[i];
        std::string fate;
        if (run.sharing.pruned[i])
            fate = run.sharing.servedBy[i] >= 0
                       ? "pruned, served by " + run.scores[size_t(run.sharing.servedBy[i])].position.site
                       : "pruned";
        std::printf("%5lld %-6s %-11s %12.4g %5lld  %s\n", (long long)s.position.layer, s.position.role.c_str(),
                    s.position.kind.c_str(), s.score, (long long)ranks[i], fate.c_str());
    }
    std::printf("validation accuracy  %.2f %% after the warm-up, %.2f %% right after pruning, %.2f %% after training on\n"
                "test accuracy        %.2f %% (every adapter, after the warm-up: %.2f %%)\n"
                "adapter parameters   %lld → %lld stored; %lld trained after pruning (with the classifier)\n",
                100 * run.validationAccuracy, 100 * run.prunedValidationAccuracy, 100 * run.finalValidationAccuracy,
                100 * run.testAccuracy, 100 * run.preview.beforeTestAccuracy, (long long)run.adapterParametersBefore,
                (long long)run.adapterParametersAfter, (long long)run.trainable);
    if (!output.empty())
        std::printf("wrote                %s (a PEFT folder: `sculpt-cli merge` folds it into the base)\n", output.c_str());
}

} // namespace

int pear(const std::vector<std::string> &args)
{
    registerBuiltinPasses();
    Options options("pear",
                    {"--task", "--data", "--prune", "--share", "--adapter", "--rank", "--experts", "--warmup", "--epochs",
                     "--lr", "--seed", "--config", "-o", "--workspace"},
                    {"--json", "--no-share", "--no-checkpoint"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1 || !options.has("--task") || !options.has("--prune")) {
        std::cerr << usageOf("pear");
        return kBadInput;
    }
    if (options.has("--share") && options.has("--no-share")) {
        options.fail("--share names how pruned positions are served; --no-share serves none: give one");
        return kBadInput;
    }
    const auto rank = options.count("--rank", 8, 1), experts = options.count("--experts", 4, 1),
               epochs = options.count("--epochs", 10, 0), seed = options.count("--seed", 0, 0);
    // Scores need trained adapters (a new LoRA's B is zero, and so is every score): ≥ 1 epoch.
    const auto warmup = options.count("--warmup", epochs && *epochs > 0 ? *epochs : 10, 1);
    const auto rate = options.number("--lr", 1e-2, 1e-8, 10), prune = options.number("--prune", 0.5, 0, 1);
    if (!rank || !experts || !epochs || !warmup || !seed || !rate || !prune)
        return kBadInput;
    PruneAdaptersRequest request;
    request.task = options.value("--task");
    request.dataRoot = taskDataRoot(options);
    request.adapter = options.value("--adapter", "lora");
    request.rank = *rank;
    request.experts = *experts;
    request.warmup = int(*warmup);
    request.epochs = int(*epochs);
    request.learningRate = *rate;
    request.seed = uint64_t(*seed);
    request.config = options.value("--config");
    request.prune = *prune;
    request.share = options.has("--no-share") ? "none" : options.value("--share", "depth");
    request.knowledgeCheckpoint = !options.has("--no-checkpoint");
    std::optional<TaskRun> start = startTaskRun(options, request.output);
    if (!start)
        return kBadInput;

    PruneAdaptersRun run;
    if (const auto ended = runAndKeep(
            *start, "pear",
            [&](const JobContext &job) {
                run = pruneAdapters(*start->checkpoint, request, job, epochPrinter(options, request.warmup + request.epochs));
            },
            [&](const std::string &hash, double seconds) { return adaptationRecord(request, run, hash, seconds); }))
        return *ended;
    if (options.has("--json"))
        printJson(run, request.output);
    else
        printTable(run, request.output);
    return kOk;
}

} // namespace sculpt::cli
