#pragma once
// Workspace parts (as `spectra --shard` and cluster jobs write them) opened with the workspace
// they join, for `workspace merge`, `jobs --merge` and the window alike: every file is read,
// and refused if it must be, before anything is written.

#include "workspace/workspace.h"

#include <optional>
#include <string>
#include <vector>

namespace sculpt {

struct PartsToMerge {
    std::vector<Workspace> parts;
    std::optional<Workspace> target; // made for the first part's model when the file is missing
};

// Throws FileError naming the file that cannot be read or written.
PartsToMerge openPartsToMerge(const std::string &workspace, const std::vector<std::string> &parts);

// target.merge(parts); throws as Workspace::merge does.
std::vector<Workspace::Merged> mergeParts(PartsToMerge &opened);

} // namespace sculpt
