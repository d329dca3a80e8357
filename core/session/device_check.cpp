#include "session/device_check.h"

#include "runtime/device.h"

namespace sculpt {

void checkDevice(const std::string &device) { parseDevice(device); }

} // namespace sculpt
