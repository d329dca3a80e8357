#pragma once
// The batch script of a run: a pure function of the cluster's settings and what was asked,
// kept in the run folder for the user to read (and to resubmit by hand). Every run is a job
// array — a spectra run one task a shard, a pass or an evaluation one task — so following,
// cancelling and resubmitting treat them alike.

#include "cluster/cluster_config.h"

#include <string>
#include <vector>

namespace sculpt {

struct BatchRequest {
    std::string command;                // sculpt-cli's: "spectra", "compress", "eval"
    std::vector<std::string> arguments; // after the command; paths absolute, as the nodes start elsewhere
    std::string runFolder;              // absolute; parts/ and logs/ inside
    int tasks = 1;
    bool sharded = false;               // each task computes shard K+1 of `tasks` (`spectra --shard`)
    int gpus = -1;                      // per task; negative: as the cluster's settings say
};

// Task K (from 0) runs `sculpt-cli COMMAND ARGUMENTS… [--shard K+1/N] --workspace
// <run>/parts/part-<K+1>.sculpt` with SCULPT_PROGRESS=lines, logging to <run>/logs/task-K.log,
// and marks its part finished with <run>/parts/part-<K+1>.done only when sculpt-cli succeeded:
// a part a cancelled task saved halfway has no mark.
std::string batchScript(const ClusterConfig &config, const BatchRequest &request);

// `text` as one word for a POSIX shell: in single quotes, each ' written '\''.
std::string shellQuoted(const std::string &text);

// Where a run's files go, as the script names them.
std::string partPath(const std::string &runFolder, int part);
std::string partDoneMark(const std::string &runFolder, int part);
std::string taskLogPath(const std::string &runFolder, int task);
// A trained pass's steps, one JSON line each (`compress --log`).
std::string stepLogPath(const std::string &runFolder);

} // namespace sculpt
