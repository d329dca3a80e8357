#include "runtime/device.h"

#include <stdexcept>

namespace sculpt {

torch::Device parseDevice(const std::string &device)
{
    try {
        return torch::Device(device);
    } catch (const c10::Error &) {
        throw std::invalid_argument("unknown device '" + device + "' (try cpu, cuda or cuda:1)");
    }
}

} // namespace sculpt
