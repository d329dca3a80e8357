#pragma once
// An evaluation request as `sculpt-cli eval`'s arguments, for running it elsewhere (a cluster
// job) exactly as it would run here.

#include "session/evaluation.h"

#include <string>
#include <vector>

namespace sculpt {

// MODEL first, then the options that say what `request` says.
std::vector<std::string> evaluationArguments(const std::string &model, const EvaluationRequest &request);

} // namespace sculpt
