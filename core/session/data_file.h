#pragma once
// What a stored result records about the files it was computed from, and when.

#include "records/evaluation.h"

#include <string>

namespace sculpt {

// The file's path, size and content hash as it is now, under `role` ("calibration",
// "tokenizer"). Throws FileError when it cannot be read.
DataFile describeDataFile(const std::string &role, const std::string &path);

// Now, as ISO 8601 in UTC: "2025-01-31T17:04:05Z".
std::string utcNow();

} // namespace sculpt
