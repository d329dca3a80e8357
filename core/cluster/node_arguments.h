#pragma once
// A command's arguments as a node runs them: the values of the options that name files or
// folders (sculpt-cli compress's and eval's) made absolute, since a task starts in its run
// folder, and the inputs among them checked here, before anything is submitted.

#include <string>
#include <vector>

namespace sculpt {

// Throws FileError naming an input file or folder that is not there.
std::vector<std::string> nodeArguments(const std::vector<std::string> &arguments);

} // namespace sculpt
