#include "cluster/sbatch_script.h"

#include <sstream>

namespace sculpt {
namespace {

// sbatch reads #SBATCH lines itself, not through a shell: a value in double quotes keeps its
// spaces.
std::string sbatchQuoted(const std::string &value)
{
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

// In --output "%" starts a pattern ("%a", the task): a folder's own "%" is written "%%".
std::string literalPattern(const std::string &text)
{
    std::string out;
    for (const char c : text)
        out += c == '%' ? std::string("%%") : std::string(1, c);
    return out;
}

} // namespace

std::string shellQuoted(const std::string &text)
{
    std::string out = "'";
    for (const char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string partPath(const std::string &runFolder, int part)
{
    return runFolder + "/parts/part-" + std::to_string(part) + ".sculpt";
}

std::string partDoneMark(const std::string &runFolder, int part)
{
    return runFolder + "/parts/part-" + std::to_string(part) + ".done";
}

std::string taskLogPath(const std::string &runFolder, int task)
{
    return runFolder + "/logs/task-" + std::to_string(task) + ".log";
}

std::string stepLogPath(const std::string &runFolder) { return runFolder + "/logs/steps.jsonl"; }

std::string batchScript(const ClusterConfig &config, const BatchRequest &request)
{
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# Sculpt: sculpt-cli " << request.command << " in " << request.tasks << " array task(s).\n"
      << "#SBATCH --job-name=sculpt-" << request.command << "\n"
      << "#SBATCH --array=0-" << request.tasks - 1 << "\n"
      << "#SBATCH --chdir=" << sbatchQuoted(request.runFolder) << "\n"
      << "#SBATCH --output=" << sbatchQuoted(literalPattern(request.runFolder) + "/logs/task-%a.log") << "\n"
      << "# A task whose node fails is queued again by Slurm; its log keeps every attempt.\n"
      << "#SBATCH --requeue\n"
      << "#SBATCH --open-mode=append\n";
    if (!config.partition.empty())
        s << "#SBATCH --partition=" << config.partition << "\n";
    if (!config.account.empty())
        s << "#SBATCH --account=" << config.account << "\n";
    if (!config.timeLimit.empty())
        s << "#SBATCH --time=" << config.timeLimit << "\n";
    if (config.cpusPerTask > 0)
        s << "#SBATCH --cpus-per-task=" << config.cpusPerTask << "\n";
    if (const int gpus = request.gpus >= 0 ? request.gpus : config.gpusPerTask; gpus > 0)
        s << "#SBATCH --gpus-per-task=" << gpus << "\n";
    if (!config.memory.empty())
        s << "#SBATCH --mem=" << config.memory << "\n";
    for (const std::string &option : config.sbatchOptions)
        s << "#SBATCH " << option << "\n";

    const std::string parts = shellQuoted(request.runFolder + "/parts/part-");
    s << "set -e\n"
      << "part=$((SLURM_ARRAY_TASK_ID + 1))\n"
      << "# Progress as plain lines in the task's log, for `sculpt-cli jobs` and the window.\n"
      << "export SCULPT_PROGRESS=lines\n"
      << shellQuoted(config.sculptCli) << " " << request.command;
    for (const std::string &argument : request.arguments)
        s << " " << shellQuoted(argument);
    if (request.sharded)
        s << " --shard \"$part/" << request.tasks << "\"";
    s << " --workspace " << parts << "\"$part.sculpt\"\n"
      << "# Only a part that finished is marked so: `sculpt-cli jobs --merge` takes no other.\n"
      << "touch " << parts << "\"$part.done\"\n";
    return s.str();
}

} // namespace sculpt
