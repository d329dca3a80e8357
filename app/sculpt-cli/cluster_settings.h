#pragma once
// The cluster a command submits to or asks about: --cluster FILE, else where
// clusterConfigPath() looks, with the running sculpt-cli as what the nodes run by default.

#include "cluster/cluster_config.h"
#include "options.h"

namespace sculpt::cli {

// Throws FileError naming the file (or where none was found) and the key at fault.
ClusterConfig clusterSettings(const Options &options);

} // namespace sculpt::cli
