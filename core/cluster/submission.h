#pragma once
// A run submitted to Slurm, as `sculpt-cli submit` and the window's "Run on cluster" both do:
// the run folder in the shared folder, the batch script kept there, sbatch, then run.json.

#include "cluster/cluster_config.h"
#include "cluster/run_folder.h"
#include "cluster/sbatch_script.h"

namespace sculpt {

// `run` says what (kind, model, workspace, method, tasks), `request` how (command, arguments,
// sharding, GPUs); the folder, id, script and job are filled in here. A compression pass's
// steps are logged to the run's logs/steps.jsonl. Throws SlurmError with sbatch's message when
// it refuses (the run folder is then removed: nothing is listed that never ran), FileError
// when the shared folder cannot be written.
RunRecord submitRun(const ClusterConfig &config, RunRecord run, BatchRequest request);

// The arguments of a spectra run of `model` (absolute): exact, or the top `topK` when > 0,
// of the matrices `match` selects (empty: all).
std::vector<std::string> spectraArguments(const std::string &model, int topK, const std::string &match);

} // namespace sculpt
