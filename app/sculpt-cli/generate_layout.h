#pragma once
// `sculpt-cli generate` for a layout model: a page's panel boxes for a panel count and a seed.

#include "options.h"

namespace sculpt::cli {

// Generates with the model at options.positional()[0], already known to be a layout model;
// returns the exit code.
int generateLayout(const Options &options);

} // namespace sculpt::cli
