// evaluation.h for a build without LibTorch (SCULPT_TORCH=OFF): the window runs, but no model.

#include "session/evaluation.h"

#include <stdexcept>

namespace sculpt {

bool canEvaluate() { return false; }

Evaluation evaluate(const Checkpoint &, const EvaluationRequest &, const JobContext &,
                    const std::function<void(const std::string &)> &)
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace sculpt
