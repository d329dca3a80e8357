#include "task_command.h"

#include "commands.h"
#include "foreground_job.h"
#include "model_workspace.h"
#include "stop_signals.h"

#include "io/error.h"
#include "io/formats.h"
#include "session/weights_hash.h"

#include <chrono>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace sculpt::cli {

std::string taskDataRoot(const Options &options)
{
    const char *shared = std::getenv("SCULPT_SHARED");
    return options.value("--data", shared ? shared : "../shared");
}

std::optional<TaskRun> startTaskRun(const Options &options, std::string &output)
{
    output = options.value("-o");
    if (options.has("-o") && output.empty()) {
        options.fail("-o needs a folder");
        return std::nullopt;
    }
    const std::string model = options.positional().at(0);
    try {
        std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(model);
        Workspace workspace = openModelWorkspace(options, *checkpoint);
        return TaskRun{std::move(checkpoint), std::move(workspace)};
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return std::nullopt;
    }
}

std::optional<int> runAndKeep(TaskRun &start, const std::string &command, const std::function<void(const JobContext &)> &run,
                              const std::function<AdaptationRecord(const std::string &modelHash, double seconds)> &record)
{
    const auto started = std::chrono::steady_clock::now();
    std::string modelHash;
    if (const auto ended = runInForeground(command, "steps", cancelOnStopSignals(), [&](const JobContext &job) {
            modelHash = weightsHash(*start.checkpoint, job);
            run(job);
        }))
        return ended;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    try {
        start.workspace.putAdaptation(record(modelHash, seconds));
        start.workspace.save();
        return std::nullopt;
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kFailed;
    }
}

std::function<void(const AdaptationEpoch &)> epochPrinter(const Options &options, int64_t epochs)
{
    if (options.has("--json"))
        return {};
    return [epochs](const AdaptationEpoch &e) {
        std::fprintf(stderr, "\repoch %lld/%lld: training loss %.4f, validation accuracy %.2f %%\n", (long long)e.epoch,
                     (long long)epochs, e.trainLoss, 100 * e.validationAccuracy);
    };
}

} // namespace sculpt::cli
