// `sculpt-cli adapt`: a vision model fine-tuned on an image task by one method — a linear probe,
// full fine-tuning, LoRA or bottleneck adapters — as core/session runs it, with the validation
// accuracy of every epoch and the test accuracy at the end.

#include "commands.h"
#include "foreground_job.h"
#include "options.h"
#include "stop_signals.h"
#include "task_command.h"
#include "usage.h"

#include "session/adaptation.h"
#include "session/adaptation_records.h"
#include "session/weights_hash.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {

int adapt(const std::vector<std::string> &args)
{
    Options options("adapt", {"--task", "--data", "--method", "--adapter", "--rank", "--epochs", "--lr", "--seed", "--config", "-o", "--workspace"}, {"--json"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1 || !options.has("--task")) {
        std::cerr << usageOf("adapt");
        return kBadInput;
    }
    const auto rank = options.count("--rank", 8, 1), epochs = options.count("--epochs", 10, 1),
               seed = options.count("--seed", 0, 0);
    const auto rate = options.number("--lr", 1e-2, 1e-8, 10);
    if (!rank || !epochs || !seed || !rate)
        return kBadInput;
    AdaptRequest request;
    request.task = options.value("--task");
    request.dataRoot = taskDataRoot(options);
    // --adapter, as heads and heat name what trains, for the two adapter methods.
    if (options.has("--adapter")) {
        const std::string adapter = options.value("--adapter");
        if (options.has("--method") || (adapter != "lora" && adapter != "bottleneck")) {
            options.fail("--adapter is lora or bottleneck, instead of --method");
            return kBadInput;
        }
    }
    request.method = options.value("--method", options.value("--adapter", "lora"));
    request.rank = *rank;
    request.epochs = int(*epochs);
    request.learningRate = *rate;
    request.seed = uint64_t(*seed);
    request.config = options.value("--config");
    std::optional<TaskRun> start = startTaskRun(options, request.output);
    if (!start)
        return kBadInput;

    const Checkpoint &checkpoint = *start->checkpoint;
    const auto started = std::chrono::steady_clock::now();
    std::string modelHash;
    AdaptRun run;
    if (const auto ended = runInForeground("adapt", "steps", cancelOnStopSignals(), [&](const JobContext &job) {
            modelHash = weightsHash(checkpoint, job);
            run = sculpt::adapt(checkpoint, request, job, epochPrinter(options, request.epochs));
        }))
        return *ended;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!keepRun(start->workspace, adaptationRecord(request, run, modelHash, seconds)))
        return kFailed;
    if (options.has("--json")) {
        nlohmann::ordered_json epochsJson = nlohmann::json::array();
        for (const AdaptationEpoch &e : run.curve)
            epochsJson.push_back({{"epoch", e.epoch}, {"train_loss", e.trainLoss}, {"validation_accuracy", e.validationAccuracy}});
        std::cout << nlohmann::ordered_json{{"method", request.method},
                                            {"trainable", run.trainable},
                                            {"epochs", epochsJson},
                                            {"test_accuracy", run.testAccuracy},
                                            {"output", request.output.empty() ? nlohmann::json() : nlohmann::json(request.output)}}
                         .dump(2)
                  << "\n";
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
