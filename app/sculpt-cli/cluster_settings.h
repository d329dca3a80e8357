#pragma once
// The cluster a command submits to or asks about: --cluster FILE, else where
// clusterConfigPath() looks, with the running sculpt-cli as what the nodes run by default.

#include "cluster/cluster_config.h"
#include "cluster/run_folder.h"
#include "options.h"

namespace sculpt::cli {

// Throws FileError naming the file (or where none was found) and the key at fault.
ClusterConfig clusterSettings(const Options &options);

// The run in the cluster's shared folder whose id, or one of whose Slurm jobs, is `id`. Throws
// std::invalid_argument when there is none.
RunRecord findRun(const ClusterConfig &config, const std::string &id);

} // namespace sculpt::cli
