// `sculpt-cli jobs`: the runs in the cluster's shared folder as Slurm, their parts and their
// logs show them, and with --merge their finished parts brought home into each model's workspace.

#include "cluster_settings.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "cluster/run_folder.h"
#include "cluster/run_status.h"
#include "cluster/sbatch_script.h"
#include "cluster/slurm_client.h"
#include "io/error.h"
#include "workspace/part_merge.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

namespace sculpt::cli {
namespace {

using json = nlohmann::ordered_json;

// A run as it is now, and what --merge did with it.
struct Listed {
    RunStatus status;
    std::optional<Workspace::Merged> merged;
    std::string mergeError;
};

void mergeFinished(Listed &listed)
{
    try {
        listed.merged = mergeFinishedParts(listed.status);
    } catch (const FileError &e) {
        listed.mergeError = e.what();
    }
}

std::string clock(long long seconds)
{
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60, seconds % 60);
    return text;
}

void printText(const std::vector<Listed> &runs)
{
    if (runs.empty())
        std::cout << "no runs\n";
    for (const Listed &listed : runs) {
        const RunStatus &s = listed.status;
        std::cout << s.run.id << "  " << s.run.kind << " " << s.run.method << "  " << s.run.model << "\n"
                  << "  Slurm job " << s.run.slurmJob << ": " << s.state << ", " << s.done << "/" << s.run.tasks
                  << " tasks finished, " << clock(s.elapsed) << " elapsed\n";
        if (!s.slurmKnows)
            std::cout << "  Slurm no longer knows this job: states are what the parts show\n";
        for (const TaskStatus &t : s.tasks) {
            std::cout << "  task " << t.index << (t.job == s.run.slurmJob ? "" : " (resubmitted as job " + t.job + ")")
                      << ": " << t.state << (t.progress.empty() ? "" : ", " + t.progress) << "\n";
            if (!t.logTail.empty())
                std::cout << "    " << taskLogPath(s.run.folder, t.index) << " ends:\n      "
                          << std::regex_replace(t.logTail, std::regex("\n"), "\n      ") << "\n";
        }
        if (const auto &m = listed.merged)
            std::cout << "  merged into " << s.run.workspace << ": " << m->added << " spectra and " << m->recordsAdded
                      << " records added, " << m->skipped + m->recordsSkipped << " there already\n";
        if (!listed.mergeError.empty())
            std::cout << "  not merged: " << listed.mergeError << "\n";
    }
}

void printJson(const std::vector<Listed> &runs)
{
    json list = json::array();
    for (const Listed &listed : runs) {
        const RunStatus &s = listed.status;
        json tasks = json::array();
        for (const TaskStatus &t : s.tasks) {
            json task{{"task", t.index}, {"slurm_job", t.job}, {"state", t.state}, {"done", t.done}};
            if (!t.progress.empty())
                task["progress"] = t.progress;
            if (!t.logTail.empty())
                task["log_tail"] = t.logTail;
            tasks.push_back(std::move(task));
        }
        json run{{"id", s.run.id},          {"kind", s.run.kind},       {"model", s.run.model},
                 {"workspace", s.run.workspace}, {"method", s.run.method}, {"folder", s.run.folder},
                 {"slurm_job", s.run.slurmJob}, {"slurm_knows", s.slurmKnows}, {"state", s.state}, {"ended", s.ended},
                 {"arguments", s.run.arguments}, {"done", s.done}, {"elapsed_seconds", s.elapsed},
                 {"tasks", std::move(tasks)}};
        if (const auto &m = listed.merged)
            run["merged"] = {{"added", m->added},
                             {"skipped", m->skipped},
                             {"replaced", m->replaced},
                             {"records_added", m->recordsAdded},
                             {"records_skipped", m->recordsSkipped}};
        if (!listed.mergeError.empty())
            run["merge_error"] = listed.mergeError;
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
        std::vector<Listed> runs;
        std::vector<std::string> unreadable;
        try {
            for (const RunRecord &run : listRuns(config.sharedFolder, unreadable))
                runs.push_back({runStatus(run), std::nullopt, {}});
        } catch (const SlurmError &e) {
            std::cerr << "sculpt-cli jobs: " << e.what() << "\n";
            return kFailed;
        }
        for (const std::string &why : unreadable)
            std::cerr << "sculpt-cli jobs: skipped " << why << "\n";
        bool mergeFailed = false;
        if (options.has("--merge"))
            for (Listed &run : runs) {
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
