#pragma once
// The workspace a command keeps its results in: the one --workspace names, else the model's
// default one, checked writable before the work whose results it will keep.

#include "options.h"

#include "io/checkpoint.h"
#include "workspace/workspace.h"

namespace sculpt::cli {

// Of the command's first positional argument, the model `checkpoint` was opened from. Throws
// FileError as Workspace::open and checkWritable do.
Workspace openModelWorkspace(const Options &options, const Checkpoint &checkpoint);

} // namespace sculpt::cli
