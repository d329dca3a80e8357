#pragma once
// What a compression pass returns: the compressed model, ready to evaluate and to export,
// and the numbers that describe it. Torch-free face (the model itself lives in the runtime).

#include "job/job.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class CausalModel;
class LanguageModel;

struct CompressedLayer {
    std::string name;                  // "model.layers.0.self_attn.q_proj"
    int64_t rows = 0, cols = 0;        // W [rows, cols]
    int64_t rank = 0;                  // components kept
    bool dense = false;                // kept at or above break-even: stored as W
    std::vector<float> singularValues; // σ of the matrix the pass truncated, descending
    std::vector<float> gains;          // SoCo's g(s) per component in the same order; else empty
};

struct CompressionSummary {
    std::string method;
    double targetRatio = 0;
    double ratio = 0;                 // achieved, over the targeted layers (compress/ratio.h)
    int64_t parametersBefore = 0;     // the whole model, embeddings included
    int64_t parametersAfter = 0;
    double seconds = 0;
    std::vector<CompressedLayer> layers;

    double modelRatio() const { return parametersBefore ? 1 - double(parametersAfter) / double(parametersBefore) : 0; }
};

enum class ExportFormat {
    Factorized, // A [out, k] and B [k, in] per compressed layer (name.weight_a, name.weight_b)
    Dense,      // A·B written back as name.weight: loads in tools that know nothing of Sculpt
};

class CompressedModel {
public:
    // `model` has its projections replaced already; `summary.layers` describes them.
    CompressedModel(std::shared_ptr<CausalModel> model, CompressionSummary summary);

    const CompressionSummary &summary() const;
    const LanguageModel &languageModel() const;
    void recordRunTime(double seconds);

    // Writes a Hugging Face folder: config.json (recording the method, the ratios and every
    // layer's rank), model.safetensors, and a copy of `tokenizerFile` when one is given. The
    // folder appears complete or not at all; an existing folder is replaced only when all it
    // holds is what Sculpt wrote there (export_folder.h; anything else is refused with
    // FileError). Throws Cancelled.
    void write(const std::string &folder, ExportFormat format, const std::string &tokenizerFile = {},
               const JobContext &job = {}) const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace sculpt
