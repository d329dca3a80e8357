#pragma once
// A job submitted to the cluster, as kept in the shared folder: <shared>/runs/<id>/ holds
// run.json (what was submitted), the batch script, parts/ (each task's workspace part and its
// finished mark) and logs/ (each task's output). Both sides read it: the login node writes it,
// the nodes fill parts/ and logs/.

#include <map>
#include <string>
#include <vector>

namespace sculpt {

struct RunRecord {
    std::string id;
    std::string folder;        // absolute
    std::string kind = "spectra"; // sculpt-cli's command: "spectra", "compress", "eval"
    std::string model;         // absolute
    std::string workspace;     // the model's workspace the parts merge into
    std::string method;        // what it computes, in a word: "exact", "top64", "svd-llm", "perplexity"…
    std::vector<std::string> arguments; // the command's, as the nodes run it (the part's --workspace aside)
    int tasks = 1;             // a spectra run's shards; one for a pass or an evaluation
    std::string slurmJob;      // empty until submitted
    std::map<int, std::string> taskJobs; // a task resubmitted alone: the job it runs in now
    long long submitted = 0;   // seconds since the epoch
};

// The Slurm jobs the run's tasks ran in: its array's, and each resubmission's.
std::vector<std::string> runJobs(const RunRecord &run);

// A new run folder under <sharedFolder>/runs (made when missing) with parts/ and logs/, its id
// "<kind>-<UTC time>-<pid>". Throws FileError when it cannot be made.
RunRecord makeRunFolder(const std::string &sharedFolder, const std::string &kind);

// Writes <folder>/run.json atomically. Throws FileError.
void writeRunRecord(const RunRecord &run);
// Throws FileError naming run.json when it is missing or not one.
RunRecord readRunRecord(const std::string &folder);

// Every run under <sharedFolder>/runs that has a run.json, oldest first. A folder without one
// (a submission in progress) is left out; one whose run.json cannot be read is left out too,
// its FileError's message added to `unreadable`, so one damaged run hides no other.
std::vector<RunRecord> listRuns(const std::string &sharedFolder, std::vector<std::string> &unreadable);

} // namespace sculpt
