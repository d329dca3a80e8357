#pragma once
// What a stored result records about the files it was computed from, and when.

#include "io/utc_now.h" // every record that names its data files says when it finished
#include "records/evaluation.h"

#include <string>

namespace sculpt {

// The file's path, size and content hash as it is now, under `role` ("calibration",
// "tokenizer"). Throws FileError when it cannot be read.
DataFile describeDataFile(const std::string &role, const std::string &path);

} // namespace sculpt
