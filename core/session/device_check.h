#pragma once
// Whether this build and machine can run a model on a device the user named, asked before any
// work starts; torch-free, for front ends that do not include torch.

#include <string>

namespace sculpt {

// Throws std::invalid_argument, one line, for a name that is no device ("gpu") or a CUDA
// device this LibTorch or machine does not have.
void checkDevice(const std::string &device);

} // namespace sculpt
