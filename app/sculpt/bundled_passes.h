#pragma once
// The passes, head-score strategies, adapter kinds and adapter prunings the window offers: the
// bundled plugins (plugins/), registered on first use; none in a build without LibTorch.

#include "compress/pass.h"
#include "session/adaptation.h"

#include <string>
#include <vector>

namespace sculpt {

std::vector<const CompressionPass *> compressionPasses();
std::vector<std::string> bundledHeadScoreStrategies();
std::vector<AdapterKindInfo> bundledAdapterKinds();
// Each adapter pruning with its share rules.
std::vector<std::pair<std::string, std::vector<std::string>>> bundledAdapterPrunings();

} // namespace sculpt
