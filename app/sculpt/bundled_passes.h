#pragma once
// The passes the window offers: the bundled plugins (plugins/), registered on first use; none
// in a build without LibTorch.

#include "compress/pass.h"

#include <vector>

namespace sculpt {

std::vector<const CompressionPass *> compressionPasses();

} // namespace sculpt
