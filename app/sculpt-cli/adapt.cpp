// `sculpt-cli adapt`: a vision model fine-tuned on an image task by one method — a linear probe,
// full fine-tuning, or adapters of a registered kind (LoRA, bottleneck, Lily) — as core/session runs it, with the validation
// accuracy of every epoch and the test accuracy at the end.

#include "commands.h"
#include "options.h"
#include "task_command.h"
#include "usage.h"

#include "builtin_passes.h"
#include "session/adaptation.h"
#include "session/adaptation_records.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {

int adapt(const std::vector<std::string> &args)
{
    registerBuiltinPasses();
    Options options("adapt", {"--task", "--data", "--method", "--adapter", "--rank", "--experts", "--epochs", "--lr", "--seed", "--config", "-o", "--workspace"}, {"--json"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1 || !options.has("--task")) {
        std::cerr << usageOf("adapt");
        return kBadInput;
    }
    const auto rank = options.count("--rank", 8, 1), experts = options.count("--experts", 4, 1),
               epochs = options.count("--epochs", 10, 1), seed = options.count("--seed", 0, 0);
    const auto rate = options.number("--lr", 1e-2, 1e-8, 10);
    if (!rank || !experts || !epochs || !seed || !rate)
        return kBadInput;
    AdaptRequest request;
    request.task = options.value("--task");
    request.dataRoot = taskDataRoot(options);
    // --adapter, as heads, heat and pear name what trains, for the adapter methods.
    if (options.has("--adapter")) {
        const std::string adapter = options.value("--adapter");
        if (options.has("--method") || adapter == "linear" || adapter == "full" || adapter == "none") {
            options.fail("--adapter names an adapter kind (" + adapterKindNames() + "), instead of --method");
            return kBadInput;
        }
    }
    request.method = options.value("--method", options.value("--adapter", "lora"));
    request.rank = *rank;
    request.experts = *experts;
    request.epochs = int(*epochs);
    request.learningRate = *rate;
    request.seed = uint64_t(*seed);
    request.config = options.value("--config");
    std::optional<TaskRun> start = startTaskRun(options, request.output);
    if (!start)
        return kBadInput;

    AdaptRun run;
    if (const auto ended = runAndKeep(
            *start, "adapt",
            [&](const JobContext &job) { run = sculpt::adapt(*start->checkpoint, request, job, epochPrinter(options, request.epochs)); },
            [&](const std::string &hash, double seconds) { return adaptationRecord(request, run, hash, seconds); }))
        return *ended;
    if (options.has("--json")) {
        nlohmann::ordered_json epochsJson = nlohmann::json::array();
        for (const AdaptationEpoch &e : run.curve)
            epochsJson.push_back({{"epoch", e.epoch}, {"train_loss", e.trainLoss}, {"validation_accuracy", e.validationAccuracy}});
        nlohmann::ordered_json out{{"method", request.method},
                                   {"trainable", run.trainable},
                                   {"epochs", epochsJson},
                                   {"test_accuracy", run.testAccuracy},
                                   {"output", request.output.empty() ? nlohmann::json() : nlohmann::json(request.output)}};
        if (!run.routing.empty()) { // each router's mean weight per expert over the test images
            nlohmann::ordered_json layers = nlohmann::json::object();
            for (size_t r = 0; r < run.routing.rows.size(); ++r)
                layers[run.routing.rows[r]] = std::vector<double>(
                    run.routing.weights.begin() + long(r * size_t(run.routing.experts)),
                    run.routing.weights.begin() + long((r + 1) * size_t(run.routing.experts)));
            out["expert_routing"] = layers;
        }
        std::cout << out.dump(2) << "\n";
    } else {
        std::printf("method     %s\ntrainable  %lld parameters\nvalidation %.2f %%\ntest       %.2f %%\n",
                    request.method.c_str(), (long long)run.trainable, 100 * run.curve.back().validationAccuracy,
                    100 * run.testAccuracy);
        if (!request.output.empty())
            std::printf("wrote      %s\n", request.output.c_str());
    }
    return kOk;
}

} // namespace sculpt::cli
