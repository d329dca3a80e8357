#pragma once
// What data-aware passes learn from: calibration batches of the model's kind, the statistics
// of each site's inputs over them, and the Fisher information of its weights. Torch inside:
// for pass plugins' .cpp files only.

#include "job/job.h"
#include "runtime/model.h"

#include <torch/types.h>

#include <vector>

namespace sculpt {

struct CalibrationData;

// A label the loss does not score (transformers' −100).
inline constexpr int64_t kUnlabelled = -100;

struct CalibrationBatch {
    ModelInput input;
    // Images: [B] int64, undefined without labels. An image question: [1, T] int64, the
    // answer's tokens where they stand in input.tokens, kUnlabelled elsewhere. Layouts: the
    // noise [B, P, 4] float32 in input.boxes.
    torch::Tensor labels;

    bool isImageQuestion() const { return input.tokens.defined() && input.pixels.defined(); }
};

class Calibration {
public:
    explicit Calibration(ModelKind kind) : kind_(kind) {}

    ModelKind kind() const { return kind_; }
    // Text: one document per batch, [1, T] with BOS, cut to the context. Image questions: one
    // per batch, its pixels beside its tokens. Images: up to kImagesPerBatch each, normalised
    // as the model's config says. Layouts: up to kImagesPerBatch noised pages, all with the same
    // panel count.
    std::vector<CalibrationBatch> batches;
    bool empty() const { return batches.empty(); }

    // The loss whose gradients tell which weights matter (FWSVD): next-token cross-entropy for
    // text (for an image question, over its answer alone), the labels' cross-entropy for images.
    // A model whose logits leave out the image tokens (HiMix) is scored on the positions it ran.
    // For layouts, the noise prediction's mean square over the panels.
    torch::Tensor taskLoss(const torch::Tensor &logits, const CalibrationBatch &batch) const;

    // What a compressed model is distilled towards: the original's log-probabilities, or for
    // a layout model the noise it predicts.
    torch::Tensor teacherTargets(const torch::Tensor &logits) const;
    // How far a student's outputs are from the teacher's on `batch` (one batch, or those of a
    // StackedBatches): `distillation` below, or for layouts the mean square over the panels.
    torch::Tensor distillationLoss(const torch::Tensor &teacher, const torch::Tensor &studentLogits,
                                   const CalibrationBatch &batch) const;

    int64_t imageToken = -1; // image questions: the prompt's image token

    static constexpr int64_t kImagesPerBatch = 64;

private:
    ModelKind kind_;
};

// KL(teacher ‖ student) per prediction — a token of text, an image — averaged, from
// log-probabilities [..., classes]. With `documents` [B, T] (text; −1 on padding) each
// document's tokens are averaged first and every document counts equally, as if each ran
// alone.
torch::Tensor distillation(const torch::Tensor &teacherLogProbs, const torch::Tensor &studentLogits,
                           const torch::Tensor &documents = {});

// Several batches as one, so that a step over them costs one forward and one backward pass:
// text documents (one per batch, as makeCalibration makes them) packed into rows no longer than
// the longest of them, each its own document; image questions one a row, padded to the longest,
// with their images and labels; images and their labels one after the other; noised pages one
// after the other, padded to the most panels.
class StackedBatches {
public:
    explicit StackedBatches(const std::vector<const CalibrationBatch *> &batches);

    const CalibrationBatch &batch() const { return batch_; }
    // The same batches' per-prediction outputs ([1, T, …] for text, [B, …] for images) laid
    // out as batch() is; padding holds zeros.
    torch::Tensor stack(const std::vector<torch::Tensor> &outputs) const;

private:
    void stackQuestions(const std::vector<const CalibrationBatch *> &batches);

    CalibrationBatch batch_;
    struct Place {
        int64_t row = 0, column = 0;
    };
    void stackLayouts(const std::vector<const CalibrationBatch *> &batches);

    size_t count_ = 0;
    std::vector<Place> places_; // text: where each batch's document starts
    int64_t rows_ = 0, columns_ = 0;
    int64_t panelTokens_ = 0; // layouts: the tokens of a stacked page
};

// The batches of `data` for `model`: the last data.count documents of the text (never
// overlapping the evaluation documents, which come from the start), each at least two tokens;
// or the first data.count images with their labels; or the first data.count pages the layout
// model reads, each noised to kCalibrationNoiseLevels steps drawn from a fixed seed. Throws
// std::invalid_argument when the data is not of the model's kind or holds nothing usable.
Calibration makeCalibration(const Model &model, const CalibrationData &data);

struct InputStatistics {
    torch::Tensor gram;    // Σ xᵀx over every input row, float64 [in, in]
    torch::Tensor meanAbs; // mean |x| per input feature, float64 [in]
    int64_t rows = 0;
};

// One entry per site of `sites` (the model's), from forward passes over the calibration batches.
std::vector<InputStatistics> collectInputStatistics(Model &model, const std::vector<LinearSite> &sites,
                                                    const Calibration &calibration, const JobContext &job);

// Lower-triangular S with S·Sᵀ = XᵀX (float64), the whitening of SVD-LLM. When XᵀX is not
// positive definite (a feature never active on the calibration data), jitter × its mean
// diagonal is added to the diagonal, doubled until the factorisation succeeds.
torch::Tensor choleskyWhitening(const torch::Tensor &gram, double jitter = 1e-6);

// Per site, Σ over the batches of the squared gradient of the task loss with respect to each
// weight, float64 [out, in]: the empirical Fisher information's diagonal.
std::vector<torch::Tensor> fisherInformation(Model &model, const std::vector<LinearSite> &sites,
                                             const Calibration &calibration, const JobContext &job);

} // namespace sculpt
