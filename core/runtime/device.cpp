#include "runtime/device.h"

#include <torch/cuda.h>

#include <stdexcept>

namespace sculpt {

torch::Device parseDevice(const std::string &device)
{
    torch::Device parsed(torch::kCPU);
    try {
        parsed = torch::Device(device);
    } catch (const c10::Error &) {
        throw std::invalid_argument("unknown device '" + device + "' (try cpu, cuda or cuda:1)");
    }
    // Said before any weight is copied, not as LibTorch's stack trace from deep inside loading.
    if (parsed.is_cuda() && (!torch::cuda::is_available() || parsed.index() >= int(torch::cuda::device_count())))
        throw std::invalid_argument("no CUDA device '" + device + "' here (" + std::to_string(torch::cuda::device_count()) +
                                    " visible; this LibTorch " + (torch::cuda::is_available() ? "has" : "may lack") +
                                    " CUDA)");
    return parsed;
}

} // namespace sculpt
