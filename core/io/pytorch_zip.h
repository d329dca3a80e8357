#pragma once
#include "io/checkpoint.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace sculpt {

// torch.save since PyTorch 1.6: a zip holding `<prefix>/data.pkl`, a pickle that describes
// the tensors, and one stored entry `<prefix>/data/<key>` per storage. The pickle is read
// by a restricted unpickler that runs nothing; the storages are mapped in place, not copied.
bool claimsPytorchZip(std::span<const std::byte> head, uint64_t fileSize);
std::unique_ptr<Checkpoint> readPytorchZip(const std::string &path);

// data.pkl only describes tensors; even models with tens of thousands of them stay far below.
inline constexpr uint64_t kMaxPytorchPickle = uint64_t{256} << 20;

} // namespace sculpt
