#pragma once
// What data-aware passes learn from calibration text: the token sequences, the statistics of
// each projection's inputs, and the Fisher information of its weights. Torch inside: for
// pass plugins' .cpp files only.

#include "job/job.h"

#include <torch/types.h>

#include <string_view>
#include <vector>

namespace sculpt {

class CausalModel;
class Tokenizer;

// The last `count` documents of `text` (blank-line separated), each encoded with BOS and cut
// to `contextLength`: taken from the end so they never overlap the evaluation documents,
// which come from the start. Throws std::invalid_argument when the text has no document.
std::vector<torch::Tensor> calibrationSequences(const Tokenizer &tokenizer, std::string_view text, long count,
                                                int64_t contextLength, torch::Device device);

struct InputStatistics {
    torch::Tensor gram;    // Σ xᵀx over every input row, float64 [in, in]
    torch::Tensor meanAbs; // mean |x| per input feature, float64 [in]
    int64_t rows = 0;
};

// One entry per projection of `model`, in projections() order, from forward passes over
// `sequences`.
std::vector<InputStatistics> collectInputStatistics(CausalModel &model, const std::vector<torch::Tensor> &sequences,
                                                    const JobContext &job);

// Lower-triangular S with S·Sᵀ = XᵀX (float64), the whitening of SVD-LLM. When XᵀX is not
// positive definite (a feature never active on the calibration text), jitter × its mean
// diagonal is added to the diagonal, doubled until the factorisation succeeds.
torch::Tensor choleskyWhitening(const torch::Tensor &gram, double jitter = 1e-6);

// Per projection, Σ over sequences of the squared gradient of the next-token loss with
// respect to each weight, float64 [out, in]: the empirical Fisher information's diagonal.
std::vector<torch::Tensor> fisherInformation(CausalModel &model, const std::vector<torch::Tensor> &sequences,
                                             const JobContext &job);

// Mean next-token cross-entropy of `logits` [T, vocab] on `sequence` [T].
torch::Tensor nextTokenLoss(const torch::Tensor &logits, const torch::Tensor &sequence);

} // namespace sculpt
