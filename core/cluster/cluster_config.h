#pragma once
// Where and how a cluster runs Sculpt's jobs, stated once by the user in a JSON file:
//   {"shared_folder": "/scratch/me/sculpt", "partition": "gpu", "account": "lab",
//    "time_limit": "02:00:00", "cpus_per_task": 4, "gpus_per_task": 1, "memory": "16G",
//    "sbatch_options": ["--qos=short"], "sculpt_cli": "/opt/sculpt/bin/sculpt-cli"}
// Only shared_folder is required: a folder the submitting machine and the nodes both see.

#include <optional>
#include <string>
#include <vector>

namespace sculpt {

struct ClusterConfig {
    std::string path;          // the file it was read from, for messages
    std::string sharedFolder;  // absolute
    std::string sculptCli;     // what the nodes run: absolute
    std::string partition;     // empty: the cluster's default
    std::string account;
    std::string timeLimit;     // Slurm's form: "MM", "HH:MM:SS", "D-HH"…
    int cpusPerTask = 0;       // 0: not asked for
    int gpusPerTask = 0;
    std::string memory;        // "4000", "16G"…
    std::vector<std::string> sbatchOptions;
};

// The file to read: `explicitPath` when given, else $SCULPT_CLUSTER_CONFIG, else
// $XDG_CONFIG_HOME/sculpt/cluster.json (~/.config when XDG_CONFIG_HOME is unset). Throws
// FileError when there is none, naming where it looked.
std::string clusterConfigPath(const std::string &explicitPath);
// Where the settings are written when the user states them (the window's Cluster settings):
// $SCULPT_CLUSTER_CONFIG, else $XDG_CONFIG_HOME/sculpt/cluster.json, there or not.
std::string clusterConfigTarget();

// Reads and checks every value; `runningCli` is sculpt_cli's default (the running sculpt-cli).
// Throws FileError naming the file and the key at fault: an unknown key too, since a typo'd
// one would otherwise be ignored silently.
ClusterConfig readClusterConfig(const std::string &path, const std::string &runningCli);
// The same from the file's text; `path` names it in messages.
ClusterConfig parseClusterConfig(const std::string &text, const std::string &path, const std::string &runningCli);

// Writes `config` to `path` as the JSON above (only what is set; folders made), atomically,
// once it reads back as itself: a bad value throws FileError naming the key, and the file
// there is kept.
void writeClusterConfig(const std::string &path, const ClusterConfig &config);

} // namespace sculpt
