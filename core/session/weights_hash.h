#pragma once
// One hash for a model's weights as they are on disk, so a result measured on them can be
// told from one measured on earlier weights of the same model (the workspace's fingerprint
// covers names and shapes only).

#include "job/job.h"

#include <map>
#include <string>

namespace sculpt {

class Checkpoint;

// Hashes every tensor's name and content hash, fed in checkpoint order.
class WeightsHash {
public:
    void add(const std::string &tensor, const std::string &contentHash);
    std::string hex() const;

private:
    std::string fed_;
};

// The hash of every tensor of `checkpoint`, reading each once and releasing its pages
// after; a tensor `known` names a content hash for (one already read) is not read again.
// Reports progress per tensor; throws Cancelled.
std::string weightsHash(const Checkpoint &checkpoint, const JobContext &job = {},
                        const std::map<std::string, std::string> &known = {});

} // namespace sculpt
