#pragma once
// Ids of the records a workspace stores in numbered groups (/evaluations, /passes): six
// digits in the order they were saved, "000001", "000002"… A name that is not all digits
// belongs to another version of Sculpt and is left alone.

#include <hdf5.h>

#include <string>

namespace sculpt {

bool isRecordId(const std::string &name);

// The largest record number among `group`'s children; 0 when there is none.
long lastRecordNumber(hid_t group);

std::string recordId(long number);

} // namespace sculpt
