#pragma once
#include "io/checkpoint.h"
#include "job/job.h"

#include <memory>
#include <string>

namespace sculpt {

// A Hugging Face model folder: config.json plus weights (sharded or single safetensors,
// or PyTorch .bin). The raw config goes into the metadata under "config.json" so the
// inventory can let it decide the architecture.
std::unique_ptr<Checkpoint> readHfFolder(const std::string &folder, const JobContext &job = {});

inline constexpr const char *kConfigKey = "config.json";

} // namespace sculpt
