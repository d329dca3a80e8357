#include "cluster/run_status.h"

#include "cluster/sbatch_script.h"
#include "cluster/slurm_client.h"
#include "workspace/part_merge.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sys/stat.h>
#include <thread>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

constexpr size_t kLogTailLines = 5;

// States after which a task runs no more, and those of them worth its log's tail.
const std::vector<std::string> kEnded = {"COMPLETED", "CANCELLED", "FAILED",    "TIMEOUT",   "NODE_FAIL",
                                         "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"};
const std::vector<std::string> kFailures = {"FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"};

bool among(const std::vector<std::string> &states, const std::string &state)
{
    return std::find(states.begin(), states.end(), state) != states.end();
}

// The last `progress …` line sculpt-cli wrote to the log (SCULPT_PROGRESS=lines), without its word.
std::string lastProgress(const std::string &path)
{
    std::ifstream in(path);
    std::string last;
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("progress "))
            last = line.substr(9);
    return last;
}

std::string logTail(const std::string &path)
{
    std::ifstream in(path);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
        if (lines.size() > kLogTailLines)
            lines.pop_front();
    }
    std::string tail;
    for (const std::string &line : lines)
        tail += (tail.empty() ? "" : "\n") + line;
    return tail;
}

// What still goes first — a task COMPLETING has its mark but has not ended — then what went
// wrong, else done.
std::string runState(const std::vector<TaskStatus> &tasks)
{
    for (const char *state : {"RUNNING", "COMPLETING", "CONFIGURING", "PENDING", "REQUEUED", "SUSPENDED", "FAILED",
                              "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "CANCELLED"})
        if (std::any_of(tasks.begin(), tasks.end(), [&](const TaskStatus &t) { return t.state == state; }))
            return state;
    if (std::all_of(tasks.begin(), tasks.end(), [](const TaskStatus &t) { return t.state == "COMPLETED"; }))
        return "COMPLETED";
    return tasks.empty() ? "UNKNOWN" : tasks.front().state;
}

// 0 for a file not there (yet).
long long modified(const std::string &path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? info.st_mtime : 0;
}

} // namespace

bool TaskStatus::endedUnfinished() const { return !done && (state == "UNKNOWN" || (among(kEnded, state) && state != "COMPLETED")); }

RunStatus runStatus(const RunRecord &run)
{
    RunStatus status;
    status.run = run;
    status.slurmKnows = true;
    std::map<std::string, std::optional<std::map<int, std::string>>> asked; // job → its tasks' states
    long long lastEnd = run.submitted;
    bool ended = true;
    for (int index = 0; index < run.tasks; ++index) {
        TaskStatus task;
        task.index = index;
        task.job = run.taskJobs.count(index) ? run.taskJobs.at(index) : run.slurmJob;
        if (!task.job.empty() && !asked.count(task.job))
            asked[task.job] = arrayTaskStates(task.job);
        const auto *states = task.job.empty() ? nullptr : &asked.at(task.job);
        task.done = fs::exists(partDoneMark(run.folder, index + 1));
        // Forgotten by Slurm, a task is what its part shows: finished, or not known to be.
        if (states && *states && (*states)->count(index))
            task.state = (*states)->at(index);
        else
            task.state = task.done ? "COMPLETED" : "UNKNOWN";
        status.slurmKnows = status.slurmKnows && states && states->has_value();
        if (among(kFailures, task.state))
            task.logTail = logTail(taskLogPath(run.folder, index));
        if (task.state == "RUNNING")
            task.progress = lastProgress(taskLogPath(run.folder, index));
        // Forgotten by Slurm and unmarked (UNKNOWN), a task will not run again either.
        ended = ended && (among(kEnded, task.state) || task.state == "UNKNOWN");
        lastEnd = std::max({lastEnd, modified(taskLogPath(run.folder, index)), modified(partDoneMark(run.folder, index + 1))});
        status.done += task.done;
        status.tasks.push_back(task);
    }
    status.state = runState(status.tasks);
    status.ended = ended;
    status.elapsed = (ended ? lastEnd : std::time(nullptr)) - run.submitted;
    return status;
}

std::optional<Workspace::Merged> mergeFinishedParts(const RunStatus &status)
{
    std::vector<std::string> parts;
    for (const TaskStatus &task : status.tasks)
        if (task.done && task.state == "COMPLETED")
            parts.push_back(partPath(status.run.folder, task.index + 1));
    if (parts.empty())
        return std::nullopt;
    PartsToMerge opened = openPartsToMerge(status.run.workspace, parts);
    Workspace::Merged total;
    for (const Workspace::Merged &m : mergeParts(opened))
        total += m;
    return total;
}

RunStatus followRun(const RunRecord &run, const JobContext &job, const std::function<void(const RunStatus &)> &onStatus,
                    double pollSeconds)
{
    for (;;) {
        job.checkCancelled();
        const RunStatus status = runStatus(run);
        onStatus(status);
        if (status.ended)
            return status;
        // Short naps, so a cancel is taken within a tenth of a second however long the poll.
        for (const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(pollSeconds);
             std::chrono::steady_clock::now() < until;) {
            job.checkCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

} // namespace sculpt
