#pragma once
// What adapt, heads, heat and pear start with — the folder holding the image tasks' data, the
// model's checkpoint, its workspace — and how they end: the run kept in that workspace.

#include "options.h"

#include "io/checkpoint.h"
#include "job/job.h"
#include "records/adaptation_record.h"
#include "workspace/workspace.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sculpt::cli {

// --data, else $SCULPT_SHARED, else ../shared (where the workplace keeps models/ and datasets/).
std::string taskDataRoot(const Options &options);

// What a run starts from: the model given as the one positional argument, and its workspace
// (--workspace, else its default place), checked writable before the run it will keep.
struct TaskRun {
    std::unique_ptr<Checkpoint> checkpoint;
    Workspace workspace;
};

// -o's folder into `output` (empty without -o), then the model and its workspace; nothing
// after one line on stderr.
std::optional<TaskRun> startTaskRun(const Options &options, std::string &output);

// What a run prints after each epoch on stderr: nothing with --json (stdout is the result,
// stderr stays for errors). `epochs`: how many the run trains in all.
std::function<void(const AdaptationEpoch &)> epochPrinter(const Options &options, int64_t epochs);

// Runs `run` in the foreground (progress on stderr; Ctrl-C, SIGTERM and SIGHUP stop it) after
// hashing the model's weights, then adds the record `record(weights hash, seconds)` makes to
// the workspace and saves it. Returns the exit status when it did not get that far (stopped,
// failed, refused, or the workspace not written), nothing when the run is kept.
std::optional<int> runAndKeep(TaskRun &start, const std::string &command, const std::function<void(const JobContext &)> &run,
                              const std::function<AdaptationRecord(const std::string &modelHash, double seconds)> &record);

} // namespace sculpt::cli
