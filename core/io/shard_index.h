#pragma once
#include "io/checkpoint.h"
#include "job/job.h"

#include <memory>
#include <span>
#include <string>

namespace sculpt {

// A sharded model: `*.safetensors.index.json` (or `pytorch_model.bin.index.json`) whose
// `weight_map` names the shard file of each tensor. Shards are opened by content.
bool claimsShardIndex(std::span<const std::byte> head, uint64_t fileSize);
std::unique_ptr<Checkpoint> readShardIndex(const std::string &path, const JobContext &job = {});

} // namespace sculpt
