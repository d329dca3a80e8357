#pragma once
// What a compression pass leaves behind: what was asked, what came out — the ratio, and per
// site the rank it kept, the spectrum it truncated (and of which matrix) and any gains it
// learned — its training log, and where the result was exported. Torch-free records that the
// passes, the workspace and the front ends share; enough to show a pass again without
// running it.

#include "records/evaluation.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

// One site (linear layer) as a pass left it.
struct CompressedLayer {
    std::string name;                  // "model.layers.0.self_attn.q_proj"
    int64_t rows = 0, cols = 0;        // W [rows, cols]
    int64_t rank = 0;                  // components kept
    bool dense = false;                // kept at or above break-even: stored as W
    std::vector<float> singularValues; // σ of the matrix the pass truncated (summary.spectrumOf), descending
    std::vector<float> gains;          // a learned gain per component in the same order (SoCo's g(s)); else empty
};

struct CompressionSummary {
    std::string method;
    double targetRatio = 0;
    double ratio = 0;                 // achieved, over the targeted layers (compress/ratio.h)
    int64_t parametersBefore = 0;     // the whole model, embeddings included
    int64_t parametersAfter = 0;
    double seconds = 0;
    // The matrix whose singular values `layers` hold, as the pass names it: "W", or a weighted
    // one such as "W·S" (S from the calibration inputs' covariance). Plots label σ with it.
    std::string spectrumOf = "W";
    std::vector<CompressedLayer> layers;
    int64_t parametersAdded = 0; // tensors a conversion adds (HiMix's image attention)
    // A vision-language model's decoder: multiply-adds for one answer, averaged over the
    // calibration's questions (decoder_cost.h), before and after the pass; 0 when not counted.
    double decoderMacsBefore = 0, decoderMacsAfter = 0;

    double modelRatio() const { return parametersBefore ? 1 - double(parametersAfter) / double(parametersBefore) : 0; }
};

// One optimisation step of a trained pass, for the log and the live loss curve: the pass names
// its stages and its values.
struct TrainingStep {
    long step = 0, steps = 0;
    std::string stage;                                  // "coarse", "refine", "sparsify"…
    std::vector<std::pair<std::string, double>> values; // "loss" (the whole objective), "kl", "ratio" (achieved)…
    // Counts per targeted site, in site order: SoCo's "active" components.
    std::vector<std::pair<std::string, std::vector<int64_t>>> counts;

    double value(const std::string &name) const
    {
        for (const auto &[key, v] : values)
            if (key == name)
                return v;
        return std::numeric_limits<double>::quiet_NaN();
    }
    const std::vector<int64_t> *count(const std::string &name) const
    {
        for (const auto &[key, c] : counts)
            if (key == name)
                return &c;
        return nullptr;
    }
};

struct PassRecord {
    std::string id;              // its name under /passes: given by Workspace::save(), empty before
    std::string modelKind = "language"; // what the pass compressed: "language", "vision" or "layout" model
    CompressionSummary summary;  // method, target and achieved ratio, parameters, seconds, the matrix, layers
    std::map<std::string, double> settings; // every setting the pass ran with, defaults too
    std::string calibration;                // what it calibrated on: "text", "images"; empty without data
    long calibrationCount = 0;              // documents or images
    std::vector<DataFile> data;             // "calibration" (text or images), "calibration labels", "tokenizer", "config"
    std::vector<TrainingStep> log;          // one entry per optimisation step; empty when it did not train
    std::string exportPath;                 // the folder it was last exported to; empty before
    std::string exportFormat;               // "factorized" or "dense"
    // Measurements side by side, in pairs: settings "model" says "original" or "compressed".
    std::vector<Evaluation> evaluations;
    std::string date;                       // when it finished: ISO 8601, UTC
};

} // namespace sculpt
