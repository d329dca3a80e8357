#pragma once
#include <string>
#include <vector>

namespace sculpt::cli {

// Exit codes every command shares.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;   // the work itself failed or was cancelled
inline constexpr int kBadInput = 2; // bad arguments or an unreadable file
// A command stopped by a signal ends with stoppedStatus() (stop_signals.h).

int inspect(const std::vector<std::string> &args);
int spectra(const std::vector<std::string> &args);
int diff(const std::vector<std::string> &args);    // two checkpoints compared tensor by tensor
int workspace(const std::vector<std::string> &args); // workspace merge: joins the parts of a sharded run
int layouts(const std::vector<std::string> &args);  // manga and comic page layouts, panels in reading order
int conditioning(const std::vector<std::string> &args); // MangaDiffusion's panel canvases and masks for a page
int submit(const std::vector<std::string> &args);  // a job array on a Slurm cluster (cluster_config.h)
int jobs(const std::vector<std::string> &args);    // the cluster's runs, and their parts merged home
int cancel(const std::vector<std::string> &args);  // scancel of a run
int resubmit(const std::vector<std::string> &args); // a run's unfinished tasks submitted again

// Loads the LibTorch runtime module and runs one of its commands there.
int runtimeCommand(const std::string &name, const std::vector<std::string> &args);
// The runtime module's commands (see runtime_module.h).
int generate(const std::vector<std::string> &args);
int eval(const std::vector<std::string> &args);
int zoo(const std::vector<std::string> &args);        // trains the demo models
int compress(const std::vector<std::string> &args);   // runs a compression pass
int heads(const std::vector<std::string> &args);      // scores attention heads for a task
int heat(const std::vector<std::string> &args);       // scores, masks and fine-tunes on (HEAT)
int adapt(const std::vector<std::string> &args);      // fine-tunes on an image task
int pear(const std::vector<std::string> &args);       // prunes and shares adapters (Pear)
int merge(const std::vector<std::string> &args);      // folds a PEFT LoRA folder into its base model

} // namespace sculpt::cli
