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

std::string partPath(const std::string &runFolder, int shard)
{
    return runFolder + "/parts/part-" + std::to_string(shard) + ".sculpt";
}

std::string partDoneMark(const std::string &runFolder, int shard)
{
    return runFolder + "/parts/part-" + std::to_string(shard) + ".done";
}

std::string taskLogPath(const std::string &runFolder, int task)
{
    return runFolder + "/logs/task-" + std::to_string(task) + ".log";
}

std::string spectraArrayScript(const ClusterConfig &config, const SpectraArrayRequest &request)
{
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# Sculpt: spectra of " << request.model << " in " << request.shards << " shards, one array task each.\n"
      << "#SBATCH --job-name=sculpt-spectra\n"
      << "#SBATCH --array=0-" << request.shards - 1 << "\n"
      << "#SBATCH --chdir=" << sbatchQuoted(request.runFolder) << "\n"
      << "#SBATCH --output=" << sbatchQuoted(literalPattern(request.runFolder) + "/logs/task-%a.log") << "\n";
    if (!config.partition.empty())
        s << "#SBATCH --partition=" << config.partition << "\n";
    if (!config.account.empty())
        s << "#SBATCH --account=" << config.account << "\n";
    if (!config.timeLimit.empty())
        s << "#SBATCH --time=" << config.timeLimit << "\n";
    if (config.cpusPerTask > 0)
        s << "#SBATCH --cpus-per-task=" << config.cpusPerTask << "\n";
    if (config.gpusPerTask > 0)
        s << "#SBATCH --gpus-per-task=" << config.gpusPerTask << "\n";
    if (!config.memory.empty())
        s << "#SBATCH --mem=" << config.memory << "\n";
    for (const std::string &option : config.sbatchOptions)
        s << "#SBATCH " << option << "\n";

    const std::string parts = shellQuoted(request.runFolder + "/parts/part-");
    s << "set -e\n"
      << "shard=$((SLURM_ARRAY_TASK_ID + 1))\n"
      << shellQuoted(config.sculptCli) << " spectra " << shellQuoted(request.model) << " --shard \"$shard/"
      << request.shards << "\" --workspace " << parts << "\"$shard.sculpt\"";
    if (request.topK > 0)
        s << " --topk " << request.topK;
    else
        s << " --exact";
    if (!request.match.empty())
        s << " --match " << shellQuoted(request.match);
    s << "\n"
      << "# Only a shard that finished is marked so: `sculpt-cli jobs --merge` takes no other.\n"
      << "touch " << parts << "\"$shard.done\"\n";
    return s.str();
}

} // namespace sculpt
