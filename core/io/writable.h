#pragma once
#include <string>

namespace sculpt {

// Throws FileError naming `path` unless a file or folder can be made there: the nearest
// folder above it that exists must take new entries (not on a read-only file system, not
// another user's). For refusing an output before any work rather than after it.
void checkCanCreate(const std::string &path);

} // namespace sculpt
