// `sculpt-cli resubmit ID`: the tasks of a run that ended without finishing their part (failed,
// timed out, cancelled, lost with their node) submitted again, alone, from the run's own batch
// script; finished parts are left as they are, and the next `jobs --merge` takes the new ones.

#include "cluster_settings.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "cluster/run_folder.h"
#include "cluster/run_status.h"
#include "cluster/slurm_client.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt::cli {

int resubmit(const std::vector<std::string> &args)
{
    Options options("resubmit", {"--cluster"}, {"--json"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1) {
        std::cerr << usageOf("resubmit");
        return kBadInput;
    }
    return options.badInputEnds([&] {
        RunRecord run = findRun(clusterSettings(options), options.positional()[0]);
        std::vector<int> tasks;
        std::string array;
        try {
            for (const TaskStatus &task : runStatus(run).tasks)
                if (task.endedUnfinished()) {
                    tasks.push_back(task.index);
                    array += (array.empty() ? "" : ",") + std::to_string(task.index);
                }
        } catch (const SlurmError &e) {
            throw std::invalid_argument(e.what());
        }
        if (tasks.empty())
            throw std::invalid_argument("nothing to resubmit in " + run.id +
                                        ": every task finished its part, or is still queued or running");
        std::string job;
        try {
            job = submitBatch(run.folder + "/" + run.kind + ".sbatch", {"--array=" + array});
        } catch (const SlurmError &e) {
            std::cerr << "sculpt-cli resubmit: " << e.what() << "\n";
            return kFailed;
        }
        for (const int task : tasks)
            run.taskJobs[task] = job;
        writeRunRecord(run);
        if (options.has("--json"))
            std::cout << nlohmann::ordered_json{{"id", run.id}, {"slurm_job", job}, {"tasks", tasks}}.dump(2) << "\n";
        else
            std::cout << "resubmitted task" << (tasks.size() > 1 ? "s " : " ") << array << " of " << run.id
                      << " as Slurm job " << job << "\n";
        return kOk;
    });
}

} // namespace sculpt::cli
