#pragma once
#include "compress/pass.h"

namespace sculpt {
std::unique_ptr<CompressionPass> makeHimixPass();
}
