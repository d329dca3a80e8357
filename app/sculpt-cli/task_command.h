#pragma once
// What adapt, heads and heat start with: the folder holding the image tasks' data, and the
// model's checkpoint.

#include "options.h"

#include "io/checkpoint.h"

#include <memory>
#include <string>

namespace sculpt::cli {

// --data, else $SCULPT_SHARED, else ../shared (where the workplace keeps models/ and datasets/).
std::string taskDataRoot(const Options &options);

// The checkpoint of the command's one positional argument; null after one line on stderr.
std::unique_ptr<Checkpoint> openModelArgument(const Options &options);

} // namespace sculpt::cli
