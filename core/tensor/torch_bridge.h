#pragma once
// Torch's side of the checkpoint: include from .cpp files only (analysis, runtime, method
// plugins). Core's other headers stay torch-free so widgets never see torch.

#include "io/checkpoint.h"
#include "model/inventory.h"

#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

// The tensor as stored, zero-copy over the memory map. Read-only: the mapping is, so
// write into a clone(). Throws FileError for types torch has no equivalent of (F8, ggml quants).
torch::Tensor storedTensor(const Checkpoint &checkpoint, const TensorInfo &tensor);

// The weight as a float32 [rows, cols] matrix on `device` (GPT-2's Conv1D transposed, conv
// kernels flattened), converted from bf16/fp16/quantised storage on the way.
torch::Tensor matrixTensor(const Checkpoint &checkpoint, const Weight &weight, torch::Device device = torch::kCPU);

// Writes the named tensors, from any device and floating type, as a float32 safetensors
// file, atomically (writeSafetensors).
void writeFloatSafetensors(const std::string &path, std::vector<std::pair<std::string, torch::Tensor>> tensors,
                           const std::map<std::string, std::string> &metadata = {});

} // namespace sculpt
