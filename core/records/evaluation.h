#pragma once
// What a measurement of a model on data leaves behind: the number, what it was measured on,
// and enough about how to tell it from a later measurement. Kept in the model's workspace.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace sculpt {

// A file a result depends on, as it was when the result was measured.
struct DataFile {
    std::string role;        // what it was to the measurement: "text", "tokenizer", "images", "labels", "config"
    std::string path;
    int64_t bytes = 0;
    std::string contentHash; // XXH3 of its bytes, hex
};

struct Evaluation {
    std::string id;     // its name under /evaluations: given by Workspace::save(), empty before
    std::string metric; // "perplexity", "accuracy", "answer accuracy"
    double value = std::numeric_limits<double>::quiet_NaN();
    std::string counted; // what `count` counts: "tokens", "images", "questions"
    int64_t count = 0;
    std::vector<DataFile> data;
    std::map<std::string, std::string> settings; // what else decided the number ("max_documents" → "20")
    std::map<std::string, double> details;       // the other numbers it gave ("mean_nll", "correct")
    std::string modelHash; // of every tensor's stored bytes at the time: tells results of earlier weights
    std::string date;      // when it finished: ISO 8601, UTC ("2025-01-31T17:04:05Z")
    double seconds = 0;    // how long it ran

    // A share of what it counted (accuracy, answer accuracy): shown in percent.
    bool inPercent() const { return metric.ends_with("accuracy"); }
};

} // namespace sculpt
