#include "cluster/run_folder.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/json_text.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

std::string runJson(const std::string &folder) { return (fs::path(folder) / "run.json").string(); }

std::string utcStamp(std::time_t when)
{
    std::tm utc{};
    ::gmtime_r(&when, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &utc);
    return text;
}

} // namespace

RunRecord makeRunFolder(const std::string &sharedFolder, const std::string &kind)
{
    const fs::path runs = fs::path(sharedFolder) / "runs";
    RunRecord run;
    run.kind = kind;
    run.submitted = std::time(nullptr);
    run.id = kind + "-" + utcStamp(std::time_t(run.submitted)) + "-" + std::to_string(::getpid());
    run.folder = (runs / run.id).string();
    std::error_code error;
    fs::create_directories(runs, error);
    // create_directory says false for a folder that was there: no two runs share one.
    if (error || !fs::create_directory(run.folder, error) || error)
        throw FileError(run.folder, "cannot make the run folder" + (error ? ": " + error.message() : std::string(" (it exists)")));
    for (const char *inside : {"parts", "logs"})
        if (!fs::create_directory(fs::path(run.folder) / inside, error))
            throw FileError(run.folder, "cannot make " + std::string(inside) + "/: " + error.message());
    return run;
}

std::vector<std::string> runJobs(const RunRecord &run)
{
    std::vector<std::string> jobs = {run.slurmJob};
    for (const auto &[task, job] : run.taskJobs)
        if (std::find(jobs.begin(), jobs.end(), job) == jobs.end())
            jobs.push_back(job);
    return jobs;
}

void writeRunRecord(const RunRecord &run)
{
    json taskJobs = json::object();
    for (const auto &[task, job] : run.taskJobs)
        taskJobs[std::to_string(task)] = job;
    const json record{{"id", run.id},         {"kind", run.kind},     {"model", run.model},
                      {"workspace", run.workspace}, {"method", run.method}, {"arguments", run.arguments},
                      {"tasks", run.tasks}, {"slurm_job", run.slurmJob}, {"task_jobs", taskJobs}, {"submitted", run.submitted}};
    const std::string text = record.dump(2) + "\n";
    AtomicFile file(runJson(run.folder));
    file.write(std::as_bytes(std::span(text.data(), text.size())));
    file.commit();
}

RunRecord readRunRecord(const std::string &folder)
{
    const std::string path = runJson(folder);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FileError(path, "cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    const nlohmann::json record = parseJson(text.str(), path, "run record");
    RunRecord run;
    run.folder = folder;
    try {
        run.id = record.at("id").get<std::string>();
        run.kind = record.at("kind").get<std::string>();
        run.model = record.at("model").get<std::string>();
        run.workspace = record.at("workspace").get<std::string>();
        run.method = record.at("method").get<std::string>();
        run.arguments = record.at("arguments").get<std::vector<std::string>>();
        run.tasks = record.at("tasks").get<int>();
        run.slurmJob = record.at("slurm_job").get<std::string>();
        run.submitted = record.at("submitted").get<long long>();
        for (const auto &[task, job] : record.at("task_jobs").items())
            run.taskJobs[std::stoi(task)] = job.get<std::string>();
    } catch (const std::exception &) { // a key missing or of another type, a task that is no number
        throw FileError(path, "not a run record of this version of Sculpt");
    }
    if (run.tasks < 1)
        throw FileError(path, "tasks: must be ≥ 1");
    return run;
}

std::vector<RunRecord> listRuns(const std::string &sharedFolder, std::vector<std::string> &unreadable)
{
    std::vector<RunRecord> runs;
    std::error_code error;
    const fs::path folder = fs::path(sharedFolder) / "runs";
    if (!fs::exists(folder, error))
        return runs;
    for (const auto &entry : fs::directory_iterator(folder, error))
        if (entry.is_directory() && fs::exists(entry.path() / "run.json")) {
            try {
                runs.push_back(readRunRecord(entry.path().string()));
            } catch (const FileError &e) {
                unreadable.push_back(e.what());
            }
        }
    if (error)
        throw FileError(folder.string(), "cannot list: " + error.message());
    std::sort(runs.begin(), runs.end(), [](const RunRecord &a, const RunRecord &b) {
        return a.submitted != b.submitted ? a.submitted < b.submitted : a.id < b.id;
    });
    return runs;
}

} // namespace sculpt
