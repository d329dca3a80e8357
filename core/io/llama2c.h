#pragma once
#include "io/checkpoint.h"

#include <memory>
#include <span>
#include <string>

namespace sculpt {

// Karpathy's llama2.c checkpoints (legacy format): seven int32 header fields, then float32
// arrays each grouped across layers. Exposed under Hugging Face LLaMA tensor names.
// The format has no magic, so it claims a file whose header fields are plausible.
bool claimsLlama2c(std::span<const std::byte> head, uint64_t fileSize);
std::unique_ptr<Checkpoint> readLlama2c(const std::string &path);

} // namespace sculpt
