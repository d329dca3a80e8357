// `sculpt-cli cancel ID`: scancel of a run's jobs (the array and any task resubmitted alone),
// named by run id or Slurm job id. What finished stays in the run's parts; what was cut off is
// never marked finished, so `jobs --merge` leaves it out.

#include "cluster_settings.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "cluster/run_folder.h"
#include "cluster/slurm_client.h"

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
    return options.badInputEnds([&] {
        const RunRecord run = findRun(clusterSettings(options), options.positional()[0]);
        const std::vector<std::string> jobs = runJobs(run);
        std::string named;
        try {
            for (const std::string &job : jobs) {
                cancelJob(job);
                named += (named.empty() ? "" : ", ") + job;
            }
        } catch (const SlurmError &e) {
            std::cerr << "sculpt-cli cancel: " << e.what() << "\n";
            return kFailed;
        }
        std::cout << "cancelled Slurm job" << (jobs.size() > 1 ? "s " : " ") << named << " (" << run.id << ")\n";
        return kOk;
    });
}

} // namespace sculpt::cli
