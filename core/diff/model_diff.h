#pragma once
// Two checkpoints compared tensor by tensor — base and fine-tuned, original and compressed:
// tensors paired by name (each reader's own naming, so a llama2c file and its HF conversion
// pair up; GPT-2's Conv1D read back as [out, in]; a factorized export's A·B taken as the
// weight it replaced), and for each pair how far apart they are, what the difference looks
// like as a spectrum, and how much their leading singular subspaces agree. One pair is read
// at a time, so memory is bounded by the largest pair. Torch-free and Qt-free.

#include "job/job.h"
#include "records/diff_record.h"

#include <functional>
#include <map>
#include <string>

namespace sculpt {

class Checkpoint;

// The pairing, before anything is read: `tensors` holds the pairs with their sides only.
// Throws std::invalid_argument in one line for two different families, or no tensor in common.
ModelDiff planDiff(const Checkpoint &a, const Checkpoint &b);

// The content hash (analysis/content_hash.h) of every stored tensor a diff read, by name, one
// map a side: each is hashed as it is let go, its pages still in memory, so that the weights
// hash of a model larger than the page cache takes no second pass over the disk.
struct ReadHashes {
    std::map<std::string, std::string> a, b;
};

// Compares every pair planDiff finds, one at a time, reporting each ("tensors") and calling
// `onTensor` as it is done; fills `hashes` when given. Cancelled on request.
ModelDiff diffModels(const Checkpoint &a, const Checkpoint &b, const DiffOptions &options, const JobContext &job = {},
                     const std::function<void(const TensorDiff &)> &onTensor = {}, ReadHashes *hashes = nullptr);

// The numbers of one pair, each side row-major with the shape the pair records (exposed for
// the tests, which check them against direct computations).
void measurePair(TensorDiff &pair, const float *a, const float *b, const DiffOptions &options, const JobContext &job = {});

} // namespace sculpt
