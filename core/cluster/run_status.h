#pragma once
// A run as Slurm, its parts and its logs show it now: each task's state, whether its part is
// finished, a running task's progress, a failed task's log tail. What `sculpt-cli jobs`
// prints, `resubmit` acts on and a window would list.

#include "cluster/run_folder.h"
#include "job/job.h"
#include "workspace/workspace.h"

#include <functional>
#include <optional>

#include <string>
#include <vector>

namespace sculpt {

struct TaskStatus {
    int index = 0;        // Slurm's array index; its part is index + 1
    std::string job;      // the Slurm job it last ran in (a resubmission's, or the run's)
    std::string state;    // Slurm's (PENDING, RUNNING, COMPLETED, FAILED…), else what the part shows
    bool done = false;    // its part is complete (the script marked it)
    std::string progress; // a running task's last progress line ("3/12 matrices  ETA 5s")
    std::string logTail;  // a failed task's last log lines

    // It runs no more and its part is not finished: what `resubmit` submits again.
    bool endedUnfinished() const;
};

struct RunStatus {
    RunRecord run;
    bool slurmKnows = false; // slurmctld still remembers every job of the run
    std::vector<TaskStatus> tasks;
    std::string state;     // the run's in one word: what still runs, else what went wrong, else COMPLETED
    int done = 0;          // tasks whose part is finished
    bool ended = false;    // no task runs or waits any more
    long long elapsed = 0; // seconds since submission, to now or to the last task's end
};

// Asks squeue about each of the run's jobs. Throws SlurmError when Slurm cannot be asked.
RunStatus runStatus(const RunRecord &run);

// The finished tasks' parts merged into the run's workspace (Workspace::merge: what is there is
// skipped, nothing new writes nothing); nullopt when no part is finished. Throws FileError as
// the merge does.
std::optional<Workspace::Merged> mergeFinishedParts(const RunStatus &status);

// Asks Slurm about the run every `pollSeconds` until it has ended, calling `onStatus` with each
// answer (merging as they come is the caller's choice), and returns the last. Throws Cancelled
// when `job` is cancelled meanwhile — the run itself is left to run — and SlurmError as
// runStatus() does.
RunStatus followRun(const RunRecord &run, const JobContext &job, const std::function<void(const RunStatus &)> &onStatus,
                    double pollSeconds);

} // namespace sculpt
