#pragma once
// The device a model runs on, from the name a user gives. Torch inside: include from
// runtime .cpp files only.

#include <torch/types.h>

#include <string>

namespace sculpt {

// "cpu", "cuda", "cuda:1"…; std::invalid_argument for anything else.
torch::Device parseDevice(const std::string &device);

} // namespace sculpt
