#include "session/weights_hash.h"

#include "analysis/content_hash.h"
#include "io/checkpoint.h"

namespace sculpt {

void WeightsHash::add(const std::string &tensor, const std::string &contentHash)
{
    fed_ += tensor;
    fed_ += '\0'; // names may hold any character but this one
    fed_ += contentHash;
    fed_ += '\n';
}

std::string WeightsHash::hex() const { return contentHash(std::as_bytes(std::span(fed_))); }

std::string weightsHash(const Checkpoint &checkpoint, const JobContext &job, const std::map<std::string, std::string> &known)
{
    WeightsHash hash;
    const auto &tensors = checkpoint.tensors();
    long done = 0;
    for (const TensorInfo &tensor : tensors) {
        job.checkCancelled();
        if (const auto it = known.find(tensor.name); it != known.end()) {
            hash.add(tensor.name, it->second);
        } else {
            hash.add(tensor.name, contentHash(checkpoint.bytes(tensor)));
            checkpoint.release(tensor);
        }
        job.report(++done, long(tensors.size()), "hashing the weights");
    }
    return hash.hex();
}

} // namespace sculpt
