#pragma once
#include "io/checkpoint.h"

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

// Safetensors: 8-byte little-endian header length, a JSON header, then the data.
bool claimsSafetensors(std::span<const std::byte> head, uint64_t fileSize);
std::unique_ptr<Checkpoint> readSafetensors(const std::string &path);

struct TensorToWrite {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::span<const std::byte> bytes; // contiguous, exactly shape × dtype size
};

// Writes a reference-compatible file atomically: readers of `path` see either the old
// file or the complete new one, never a partial write.
void writeSafetensors(const std::string &path, const std::vector<TensorToWrite> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

} // namespace sculpt
