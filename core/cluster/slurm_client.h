#pragma once
// Slurm's own clients (sbatch, squeue, scancel) run as a user would run them, with this
// process's environment (SLURM_CONF included), each bounded in time. No Qt: sculpt-cli builds
// on a cluster's login node.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sculpt {

// One line: Slurm is not installed, not reachable, or refused what was asked (its message).
class SlurmError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CommandResult {
    int status = -1; // the exit status; -1 when killed by a signal or the time limit
    std::string out;
    std::string err;
};

// Runs `argv` (argv[0] looked up on PATH), its output read as it comes, killed after
// `timeoutSeconds`. Throws SlurmError when argv[0] is not installed.
CommandResult runCommand(const std::vector<std::string> &argv, int timeoutSeconds);

// Throws SlurmError unless sbatch, squeue and scancel are on PATH: before anything is written.
void requireSlurm();

// sbatch [OPTIONS] SCRIPT: the job's id; options given here win over the script's #SBATCH
// lines (`--array=1,3` resubmits two tasks). Throws SlurmError with sbatch's own message when
// refused.
std::string submitBatch(const std::string &script, const std::vector<std::string> &options = {});

// Each array task's state (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED…) by task index, as
// long as slurmctld remembers the job; nothing once it has forgotten it. Throws SlurmError
// when Slurm cannot be asked.
std::optional<std::map<int, std::string>> arrayTaskStates(const std::string &jobId);

// scancel JOB. Throws SlurmError with scancel's message when it fails.
void cancelJob(const std::string &jobId);

} // namespace sculpt
