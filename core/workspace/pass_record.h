#pragma once
// What a compression pass leaves behind in the model's workspace: what was asked, what came
// out (the ratio, every layer's kept rank, the spectrum it truncated and SoCo's gains), the
// training log, and where the result was exported. Enough to show the pass again without
// running it.

#include "compress/compressed_model.h"
#include "compress/pass.h"
#include "workspace/evaluation.h"

#include <map>
#include <string>
#include <vector>

namespace sculpt {

struct PassRecord {
    std::string id;              // its name under /passes: given by Workspace::save(), empty before
    CompressionSummary summary;  // method, target and achieved ratio, parameters, seconds, layers
    // The matrix whose singular values summary.layers hold: "W", or a weighted one such as
    // "W·S" (S from the calibration inputs' covariance). Plots label σ with it.
    std::string spectrumOf = "W";
    std::map<std::string, double> settings; // every setting the pass ran with, defaults too
    long calibrationDocuments = 0;
    std::vector<DataFile> data;             // "calibration" text, "tokenizer"
    std::vector<TrainingStep> log;          // one entry per optimisation step; empty when it did not train
    std::string exportPath;                 // the folder it was last exported to; empty before
    std::string exportFormat;               // "factorized" or "dense"
    // Perplexities measured side by side, in pairs: settings "model" says "original" or "compressed".
    std::vector<Evaluation> evaluations;
    std::string date;                       // when it finished: ISO 8601, UTC
};

} // namespace sculpt
