#pragma once
#include "io/checkpoint.h"
#include "job/job.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

// A checkpoint format: which content it claims (never the file name: a .bin can be
// anything) and how to open it. Formats are tried in registration order.
struct CheckpointFormat {
    std::string name;
    std::vector<std::string> extensions; // shown in file dialogs only
    std::function<bool(std::span<const std::byte> head, uint64_t fileSize)> claims;
    // Opening reads headers only, but a model of many shards reports each and can be cancelled.
    std::function<std::unique_ptr<Checkpoint>(const std::string &path, const JobContext &job)> open;
};

// How many leading bytes `claims` is shown (fewer when the file is shorter).
inline constexpr size_t kClaimHeadBytes = 4096;

class FormatRegistry {
public:
    static FormatRegistry &instance(); // holds the built-in formats
    void add(CheckpointFormat format);
    const std::vector<CheckpointFormat> &formats() const { return formats_; }

private:
    std::vector<CheckpointFormat> formats_;
};

// Opens a checkpoint file, or a Hugging Face folder (config.json + weights). Throws
// FileError with a one-line reason for anything it cannot read.
std::unique_ptr<Checkpoint> openCheckpoint(const std::string &path, const JobContext &job = {});
// Opens a single file by content; shards use this with allowIndex false so an index
// can never name another index.
std::unique_ptr<Checkpoint> openCheckpointFile(const std::string &path, const JobContext &job = {},
                                               bool allowIndex = true);

} // namespace sculpt
