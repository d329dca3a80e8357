#include "cluster_settings.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace sculpt::cli {

ClusterConfig clusterSettings(const Options &options)
{
    std::error_code unknown; // then the config must name sculpt_cli itself
    const std::string running = std::filesystem::read_symlink("/proc/self/exe", unknown).string();
    return readClusterConfig(clusterConfigPath(options.value("--cluster")), running);
}

RunRecord findRun(const ClusterConfig &config, const std::string &id)
{
    std::vector<std::string> unreadable;
    const auto runs = listRuns(config.sharedFolder, unreadable);
    const auto run = std::find_if(runs.begin(), runs.end(), [&](const RunRecord &r) {
        const std::vector<std::string> jobs = runJobs(r);
        return r.id == id || (!id.empty() && std::find(jobs.begin(), jobs.end(), id) != jobs.end());
    });
    if (run == runs.end())
        throw std::invalid_argument("no run or Slurm job '" + id + "' in " + config.sharedFolder + "/runs" +
                                    (unreadable.empty() ? "" : " (" + std::to_string(unreadable.size()) +
                                                                   " run records unreadable: sculpt-cli jobs names them)"));
    return *run;
}

} // namespace sculpt::cli
