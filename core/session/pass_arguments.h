#pragma once
// A pass request as `sculpt-cli compress`'s arguments, for running it elsewhere (a cluster job)
// exactly as it would run here, its result exported to a folder since the model it makes
// cannot come back through memory.

#include "compress/compressed_model.h"
#include "session/compression.h"

#include <string>
#include <vector>

namespace sculpt {

// MODEL first, then the options that say what `request` says, every setting it holds written
// so that the node reads back the same value. Throws std::invalid_argument when no registered
// pass has the request's method.
std::vector<std::string> passArguments(const std::string &model, const PassRequest &request, const std::string &output,
                                       ExportFormat format);

} // namespace sculpt
