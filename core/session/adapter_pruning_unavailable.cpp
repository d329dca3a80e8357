// adapter_pruning.h for a build without LibTorch (SCULPT_TORCH=OFF): no model to train.

#include "session/adapter_pruning.h"

#include <stdexcept>

namespace sculpt {

std::vector<std::string> adapterPruningNames() { return {}; }
std::vector<std::string> shareRulesOf(const std::string &) { return {}; }

PruneAdaptersRun pruneAdapters(const Checkpoint &, const PruneAdaptersRequest &, const JobContext &,
                               const std::function<void(const AdaptationEpoch &)> &)
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace sculpt
