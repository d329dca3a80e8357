#pragma once
// Compress, as the window runs it: one pass of core's registry on the open model, the record
// the workspace keeps of it, and its export — what `sculpt-cli compress` does, through
// torch-free faces only. Without LibTorch the window still builds and says it cannot
// (compression_unavailable.cpp).

#include "compress/pass.h"
#include "job/job.h"
#include "workspace/pass_record.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

struct PassRequest {
    std::string method;                     // a registered pass: "svd-llm"
    double ratio = 0.4;                     // target fraction of the targeted parameters removed
    std::string calibrationFile;            // documents between blank lines, taken from its end
    long calibrationDocuments = 32;
    std::map<std::string, double> settings; // values for the pass's settings; the rest keep their defaults
    std::string tokenizer;                  // empty: the one beside the model
};

// What a finished pass hands to the window: the model to export and compare, and its record.
struct PassResult {
    std::shared_ptr<const CompressedModel> model;
    PassRecord record;     // everything but its id
    std::string tokenizer; // the tokenizer file it read: exports carry a copy
};

// Whether this build can run passes (it was built with LibTorch).
bool canCompress();
// The bundled passes (registered on first use); none without LibTorch.
std::vector<const CompressionPass *> compressionPasses();

// Runs the pass on a copy of the model of `checkpoint`, which stays as it is. The files are
// read and checked before the model is loaded. `onStep` sees each training step on the
// job's thread. Throws FileError naming a file it cannot use (no tokenizer, unreadable
// calibration text), std::invalid_argument for a request the pass refuses, Cancelled.
PassResult runCompression(const Checkpoint &checkpoint, const PassRequest &request,
                          const std::function<void(const TrainingStep &)> &onStep, const JobContext &job,
                          const std::function<void(const std::string &)> &log);

// Writes `model` as a Hugging Face folder (CompressedModel::write: all or nothing).
void exportCompressed(const CompressedModel &model, const std::string &folder, ExportFormat format,
                      const std::string &tokenizer, const JobContext &job);

inline const char *formatName(ExportFormat format) { return format == ExportFormat::Dense ? "dense" : "factorized"; }

} // namespace sculpt
