// `sculpt-cli heads`: every attention head's importance for an image task by one strategy
// (HEAT's Taylor scores or a baseline), scored as core/session does — after fine-tuning
// adapters on the task's training images, as HEAT scores heads with its adapters in place —
// printed as a layers × heads table. `sculpt-cli heat` goes on as HEAT does: masks the
// lowest-scored fraction of heads, fine-tunes on with them masked and measures on the test set.

#include "commands.h"
#include "options.h"
#include "task_command.h"
#include "usage.h"

#include "builtin_passes.h"
#include "session/adaptation_records.h"
#include "session/head_scores.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {
namespace {

// "139018 → 120426 (−13.4 %)"
std::string saving(int64_t before, int64_t after)
{
    char text[96];
    std::snprintf(text, sizeof text, "%lld → %lld (−%.1f %%)", (long long)before, (long long)after,
                  before > 0 ? 100.0 * double(before - after) / double(before) : 0.0);
    return text;
}

void print(const HeadScoreRun &run, const std::string &output, bool masked, bool json)
{
    const HeadScores &s = run.scores;
    if (json) {
        nlohmann::ordered_json rows = nlohmann::json::array();
        for (int64_t l = 0; l < s.layers; ++l)
            rows.push_back(std::vector<double>(s.values.begin() + l * s.heads, s.values.begin() + (l + 1) * s.heads));
        nlohmann::ordered_json out{{"strategy", s.strategy},
                                            {"layers", s.layers},
                                            {"heads", s.heads},
                                            {"trainable", run.trainable},
                                            {"validation_accuracy", run.validationAccuracy},
                                            {"scores", rows}};
        if (masked) {
            nlohmann::ordered_json heads = nlohmann::json::array();
            for (const auto &[layer, head] : run.masked)
                heads.push_back({layer, head});
            out["masked"] = heads;
            out["masked_validation_accuracy"] = run.maskedValidationAccuracy;
            out["test_accuracy"] = run.testAccuracy;
        }
        if (!output.empty()) {
            out["output"] = output;
            out["parameters"] = {{"before", run.before.parameters}, {"after", run.after.parameters}};
            out["multiply_adds"] = {{"before", run.before.multiplyAdds}, {"after", run.after.multiplyAdds}};
        }
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::printf("head scores (%s); validation accuracy %.2f %% after fine-tuning %lld parameters\nlayer",
                s.strategy.c_str(), 100 * run.validationAccuracy, (long long)run.trainable);
    for (int64_t h = 0; h < s.heads; ++h)
        std::printf("  %10s", ("head " + std::to_string(h)).c_str());
    for (int64_t l = 0; l < s.layers; ++l) {
        std::printf("\n%5lld", (long long)l);
        for (int64_t h = 0; h < s.heads; ++h)
            std::printf("  %10.4g", s.at(l, h));
    }
    std::printf("\n");
    if (!masked)
        return;
    std::printf("masked %zu heads:", run.masked.size());
    for (const auto &[layer, head] : run.masked)
        std::printf(" %lld.%lld", (long long)layer, (long long)head);
    std::printf("\nvalidation accuracy with them masked, after fine-tuning on: %.2f %%\ntest accuracy: %.2f %%\n",
                100 * run.maskedValidationAccuracy, 100 * run.testAccuracy);
    if (output.empty())
        return;
    std::printf("wrote %s with the masked heads removed\nparameters            %s\nmultiply-adds / image %s\n",
                output.c_str(), saving(run.before.parameters, run.after.parameters).c_str(),
                saving(run.before.multiplyAdds, run.after.multiplyAdds).c_str());
}

int run(const std::string &command, const std::vector<std::string> &args)
{
    registerBuiltinPasses();
    const bool heat = command == "heat";
    Options options(command,
                    {"--task", "--data", "--strategy", "--adapter", "--rank", "--epochs", "--seed", "--config", "--lr", "--mask", "-o", "--workspace"},
                    {"--json", "--per-layer"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1 || !options.has("--task") || !options.has("--strategy") ||
        heat != options.has("--mask") || (!heat && (options.has("--per-layer") || options.has("-o")))) {
        std::cerr << usageOf(command);
        return kBadInput;
    }
    const auto rank = options.count("--rank", 8, 1), epochs = options.count("--epochs", 10, 0),
               seed = options.count("--seed", 0, 0);
    const auto rate = options.number("--lr", 1e-2, 1e-8, 10), mask = options.number("--mask", -1, heat ? 0 : -1, 1);
    if (!rank || !epochs || !seed || !rate || !mask)
        return kBadInput;
    HeadScoreRequest request;
    request.task = options.value("--task");
    request.dataRoot = taskDataRoot(options);
    request.strategy = options.value("--strategy");
    request.adapter = options.value("--adapter", "lora");
    request.rank = *rank;
    request.epochs = int(*epochs);
    request.seed = uint64_t(*seed);
    request.config = options.value("--config");
    request.learningRate = *rate;
    request.mask = *mask;
    request.perLayer = options.has("--per-layer");
    std::optional<TaskRun> start = startTaskRun(options, request.output);
    if (!start)
        return kBadInput;

    HeadScoreRun result;
    if (const auto ended = runAndKeep(
            *start, command,
            [&](const JobContext &job) {
                result = scoreHeads(*start->checkpoint, request, job, epochPrinter(options, heat ? 2 * request.epochs : request.epochs));
            },
            [&](const std::string &hash, double seconds) { return adaptationRecord(command, request, result, hash, seconds); }))
        return *ended;
    print(result, request.output, heat, options.has("--json"));
    return kOk;
}

} // namespace

int heads(const std::vector<std::string> &args) { return run("heads", args); }
int heat(const std::vector<std::string> &args) { return run("heat", args); }

} // namespace sculpt::cli
