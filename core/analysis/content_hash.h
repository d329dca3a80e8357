#pragma once
#include <cstddef>
#include <span>
#include <string>

namespace sculpt {

class Checkpoint;

// 64-bit XXH3 of a tensor's stored bytes, as 16 hex digits: the workspace key that tells
// a reopened model's unchanged tensors from changed ones. ~20 GB/s, so hashing is noise
// next to a spectrum.
std::string contentHash(std::span<const std::byte> bytes);

// Hash of every tensor's name, dtype and shape: which model a workspace belongs to.
std::string modelFingerprint(const Checkpoint &checkpoint);

} // namespace sculpt
