// head_scores.h for a build without LibTorch (SCULPT_TORCH=OFF): no strategy, no model to run.

#include "session/head_scores.h"

#include <stdexcept>

namespace sculpt {

std::vector<std::string> headScoreStrategyNames() { return {}; }

HeadScoreRun scoreHeads(const Checkpoint &, const HeadScoreRequest &, const JobContext &,
                        const std::function<void(const AdaptationEpoch &)> &)
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace sculpt
