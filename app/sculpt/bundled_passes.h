#pragma once
// The passes and head-score strategies the window offers: the bundled plugins (plugins/),
// registered on first use; none in a build without LibTorch.

#include "compress/pass.h"

#include <string>
#include <vector>

namespace sculpt {

std::vector<const CompressionPass *> compressionPasses();
std::vector<std::string> bundledHeadScoreStrategies();

} // namespace sculpt
