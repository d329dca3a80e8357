// `sculpt-cli cancel ID`: scancel of a run's job array, named by run id or Slurm job id. What
// finished stays in the run's parts; what was cut off is never marked finished, so
// `jobs --merge` leaves it out.

#include "cluster_settings.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "cluster/run_folder.h"
#include "cluster/slurm_client.h"

#include <algorithm>
#include <iostream>

namespace sculpt::cli {

int cancel(const std::vector<std::string> &args)
{
    Options options("cancel", {"--cluster"}, {});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1) {
        std::cerr << usageOf("cancel");
        return kBadInput;
    }
    const std::string id = options.positional()[0];
    return options.badInputEnds([&] {
        const ClusterConfig config = clusterSettings(options);
        std::vector<std::string> unreadable;
        const auto runs = listRuns(config.sharedFolder, unreadable);
        const auto run = std::find_if(runs.begin(), runs.end(), [&](const RunRecord &r) {
            return r.id == id || (!r.slurmJob.empty() && r.slurmJob == id);
        });
        if (run == runs.end())
            throw std::invalid_argument("no run or Slurm job '" + id + "' in " + config.sharedFolder + "/runs" +
                                        (unreadable.empty() ? "" : " (" + std::to_string(unreadable.size()) +
                                                                       " run records unreadable: sculpt-cli jobs names them)"));
        try {
            cancelJob(run->slurmJob);
        } catch (const SlurmError &e) {
            std::cerr << "sculpt-cli cancel: " << e.what() << "\n";
            return kFailed;
        }
        std::cout << "cancelled Slurm job " << run->slurmJob << " (" << run->id << ")\n";
        return kOk;
    });
}

} // namespace sculpt::cli
