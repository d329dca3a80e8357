// bundled_passes.h for a build without LibTorch (SCULPT_TORCH=OFF): no pass.

#include "bundled_passes.h"

namespace sculpt {

std::vector<const CompressionPass *> compressionPasses() { return {}; }
std::vector<std::string> bundledHeadScoreStrategies() { return {}; }
std::vector<AdapterKindInfo> bundledAdapterKinds() { return {}; }
std::vector<std::pair<std::string, std::vector<std::string>>> bundledAdapterPrunings() { return {}; }

} // namespace sculpt
