#pragma once
// The batch script of a spectra job array: a pure function of the cluster's settings and what
// was asked, kept in the run folder for the user to read (and to resubmit by hand).

#include "cluster/cluster_config.h"

#include <string>

namespace sculpt {

struct SpectraArrayRequest {
    std::string model;     // absolute: the nodes start elsewhere
    std::string runFolder; // absolute; parts/ and logs/ inside
    int shards = 1;        // one array task each
    int topK = 0;          // 0: exact spectra
    std::string match;     // empty: every matrix
};

// Task K (from 0) runs shard K+1 of N into <run>/parts/part-<K+1>.sculpt, logging to
// <run>/logs/task-K.log, and marks the shard finished with <run>/parts/part-<K+1>.done only
// when sculpt-cli succeeded: a part a cancelled task saved halfway has no mark.
std::string spectraArrayScript(const ClusterConfig &config, const SpectraArrayRequest &request);

// `text` as one word for a POSIX shell: in single quotes, each ' written '\''.
std::string shellQuoted(const std::string &text);

// Where the array's files go, as the script names them.
std::string partPath(const std::string &runFolder, int shard);
std::string partDoneMark(const std::string &runFolder, int shard);
std::string taskLogPath(const std::string &runFolder, int task);

} // namespace sculpt
