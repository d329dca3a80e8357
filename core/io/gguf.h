#pragma once
#include "io/checkpoint.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace sculpt {

// GGUF (llama.cpp), versions 2 and 3, little-endian: a header, typed metadata, tensor
// infos, then the aligned tensor data. Every metadata value is kept as a string in
// Checkpoint::metadata(); tensor shapes are given outermost first, as PyTorch does.
bool claimsGguf(std::span<const std::byte> head, uint64_t fileSize);
std::unique_ptr<Checkpoint> readGguf(const std::string &path);

} // namespace sculpt
