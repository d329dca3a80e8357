#pragma once
// What a compression pass returns: the compressed model, ready to evaluate and to export,
// and the numbers that describe it. Torch-free face (the model itself lives in the runtime).

#include "job/job.h"
#include "records/pass_record.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class ImageClassifier;
class LanguageModel;
class LayoutGenerator;
class Model;

enum class ExportFormat {
    Factorized, // A [out, k] and B [k, in] per compressed layer (name.weight_a, name.weight_b)
    Dense,      // A·B written back as name.weight: loads in tools that know nothing of Sculpt
};

class CompressedModel {
public:
    // `model` has its sites replaced already; `summary.layers` describes them.
    CompressedModel(std::shared_ptr<Model> model, CompressionSummary summary);

    const CompressionSummary &summary() const;
    // The model to run, through the face of its kind: the others are null.
    const LanguageModel *languageModel() const;
    const ImageClassifier *imageClassifier() const;
    const LayoutGenerator *layoutGenerator() const;
    void recordRunTime(double seconds);

    // Writes a Hugging Face folder (runtime/hf_export.h) whose config.json also records the
    // method, the ratios and every layer's rank, with a copy of `tokenizerFile` when one is
    // given (a language model's). Throws as writeHfFolder does.
    void write(const std::string &folder, ExportFormat format, const std::string &tokenizerFile = {},
               const JobContext &job = {}) const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace sculpt
