// `sculpt-cli jobs`: the runs in the cluster's shared folder as Slurm, their parts and their
// logs show them, and with --merge their finished parts brought home into each model's workspace.

#include "cluster_settings.h"
#include "commands.h"
#include "options.h"
#include "part_merge.h"
#include "usage.h"

#include "cluster/run_folder.h"
#include "cluster/sbatch_script.h"
#include "cluster/slurm_client.h"
#include "io/error.h"

#include <algorithm>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sys/stat.h>

namespace sculpt::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

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

struct Task {
    int index = 0; // Slurm's array index; its part is index + 1
    std::string state;
    bool done = false; // its part is complete (the script marked it)
    std::string progress; // a running task's last progress line ("3/12 matrices  ETA 5s")
    std::string logTail;
};

struct RunStatus {
    RunRecord run;
    bool slurmKnows = false;
    std::vector<Task> tasks;
    std::string state;
    int done = 0;
    long long elapsed = 0; // seconds since submission, to now or to the last task's end
    std::optional<Workspace::Merged> merged;
    std::string mergeError;
};

// The array's state in one word: what still runs first, then what went wrong, else done.
std::string arrayState(const std::vector<Task> &tasks)
{
    for (const char *state : {"RUNNING", "PENDING", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "CANCELLED"})
        if (std::any_of(tasks.begin(), tasks.end(), [&](const Task &t) { return t.state == state; }))
            return state;
    if (std::all_of(tasks.begin(), tasks.end(), [](const Task &t) { return t.state == "COMPLETED"; }))
        return "COMPLETED";
    return tasks.empty() ? "UNKNOWN" : tasks.front().state;
}

// 0 for a file not there (yet).
long long modified(const std::string &path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? info.st_mtime : 0;
}

RunStatus statusOf(const RunRecord &run)
{
    RunStatus status;
    status.run = run;
    const auto states = run.slurmJob.empty() ? std::nullopt : arrayTaskStates(run.slurmJob);
    status.slurmKnows = states.has_value();
    long long lastEnd = run.submitted;
    bool ended = true;
    for (int index = 0; index < run.tasks; ++index) {
        Task task;
        task.index = index;
        task.done = fs::exists(partDoneMark(run.folder, index + 1));
        // Forgotten by Slurm, a task is what its part shows: finished, or not known to be.
        if (states && states->count(index))
            task.state = states->at(index);
        else
            task.state = task.done ? "COMPLETED" : "UNKNOWN";
        if (among(kFailures, task.state))
            task.logTail = logTail(taskLogPath(run.folder, index));
        if (task.state == "RUNNING")
            task.progress = lastProgress(taskLogPath(run.folder, index));
        ended = ended && among(kEnded, task.state);
        lastEnd = std::max({lastEnd, modified(taskLogPath(run.folder, index)), modified(partDoneMark(run.folder, index + 1))});
        status.done += task.done;
        status.tasks.push_back(task);
    }
    status.state = arrayState(status.tasks);
    status.elapsed = (ended ? lastEnd : std::time(nullptr)) - run.submitted;
    return status;
}

// The finished tasks' parts into the run's workspace; what was merged before is skipped there.
void mergeFinished(RunStatus &status)
{
    std::vector<std::string> parts;
    for (const Task &task : status.tasks)
        if (task.done && task.state == "COMPLETED")
            parts.push_back(partPath(status.run.folder, task.index + 1));
    if (parts.empty())
        return;
    try {
        PartsToMerge opened = openPartsToMerge(status.run.workspace, parts);
        Workspace::Merged total;
        for (const Workspace::Merged &m : mergeParts(opened)) {
            total.added += m.added;
            total.skipped += m.skipped;
            total.replaced += m.replaced;
            total.recordsAdded += m.recordsAdded;
            total.recordsSkipped += m.recordsSkipped;
        }
        status.merged = total;
    } catch (const FileError &e) {
        status.mergeError = e.what();
    }
}

std::string clock(long long seconds)
{
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60, seconds % 60);
    return text;
}

void printText(const std::vector<RunStatus> &runs)
{
    if (runs.empty())
        std::cout << "no runs\n";
    for (const RunStatus &s : runs) {
        std::cout << s.run.id << "  " << s.run.kind << " " << s.run.method << "  " << s.run.model << "\n"
                  << "  Slurm job " << s.run.slurmJob << ": " << s.state << ", " << s.done << "/" << s.run.tasks
                  << " tasks finished, " << clock(s.elapsed) << " elapsed\n";
        if (!s.slurmKnows)
            std::cout << "  Slurm no longer knows this job: states are what the parts show\n";
        for (const Task &t : s.tasks) {
            std::cout << "  task " << t.index << ": " << t.state << (t.progress.empty() ? "" : ", " + t.progress) << "\n";
            if (!t.logTail.empty())
                std::cout << "    " << taskLogPath(s.run.folder, t.index) << " ends:\n      "
                          << std::regex_replace(t.logTail, std::regex("\n"), "\n      ") << "\n";
        }
        if (s.merged)
            std::cout << "  merged into " << s.run.workspace << ": " << s.merged->added << " spectra and "
                      << s.merged->recordsAdded << " records added, " << s.merged->skipped + s.merged->recordsSkipped
                      << " there already\n";
        if (!s.mergeError.empty())
            std::cout << "  not merged: " << s.mergeError << "\n";
    }
}

void printJson(const std::vector<RunStatus> &runs)
{
    json list = json::array();
    for (const RunStatus &s : runs) {
        json tasks = json::array();
        for (const Task &t : s.tasks) {
            json task{{"task", t.index}, {"state", t.state}, {"done", t.done}};
            if (!t.progress.empty())
                task["progress"] = t.progress;
            if (!t.logTail.empty())
                task["log_tail"] = t.logTail;
            tasks.push_back(std::move(task));
        }
        json run{{"id", s.run.id},          {"kind", s.run.kind},       {"model", s.run.model},
                 {"workspace", s.run.workspace}, {"method", s.run.method}, {"folder", s.run.folder},
                 {"slurm_job", s.run.slurmJob}, {"slurm_knows", s.slurmKnows}, {"state", s.state},
                 {"arguments", s.run.arguments}, {"done", s.done}, {"elapsed_seconds", s.elapsed},
                 {"tasks", std::move(tasks)}};
        if (s.merged)
            run["merged"] = {{"added", s.merged->added},
                             {"skipped", s.merged->skipped},
                             {"replaced", s.merged->replaced},
                             {"records_added", s.merged->recordsAdded},
                             {"records_skipped", s.merged->recordsSkipped}};
        if (!s.mergeError.empty())
            run["merge_error"] = s.mergeError;
        list.push_back(std::move(run));
    }
    std::cout << json{{"runs", std::move(list)}}.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

} // namespace

int jobs(const std::vector<std::string> &args)
{
    Options options("jobs", {"--cluster"}, {"--merge", "--json"});
    if (!options.parse(args))
        return kBadInput;
    if (!options.positional().empty()) {
        std::cerr << usageOf("jobs");
        return kBadInput;
    }
    return options.badInputEnds([&] {
        const ClusterConfig config = clusterSettings(options);
        std::vector<RunStatus> runs;
        std::vector<std::string> unreadable;
        try {
            for (const RunRecord &run : listRuns(config.sharedFolder, unreadable))
                runs.push_back(statusOf(run));
        } catch (const SlurmError &e) {
            std::cerr << "sculpt-cli jobs: " << e.what() << "\n";
            return kFailed;
        }
        for (const std::string &why : unreadable)
            std::cerr << "sculpt-cli jobs: skipped " << why << "\n";
        bool mergeFailed = false;
        if (options.has("--merge"))
            for (RunStatus &run : runs) {
                mergeFinished(run);
                mergeFailed = mergeFailed || !run.mergeError.empty();
            }
        if (options.has("--json"))
            printJson(runs);
        else
            printText(runs);
        return mergeFailed ? kFailed : kOk;
    });
}

} // namespace sculpt::cli
