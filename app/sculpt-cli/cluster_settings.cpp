#include "cluster_settings.h"

#include <filesystem>

namespace sculpt::cli {

ClusterConfig clusterSettings(const Options &options)
{
    std::error_code unknown; // then the config must name sculpt_cli itself
    const std::string running = std::filesystem::read_symlink("/proc/self/exe", unknown).string();
    return readClusterConfig(clusterConfigPath(options.value("--cluster")), running);
}

} // namespace sculpt::cli
