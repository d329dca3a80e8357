#pragma once
// Compress, as both front ends run it: one pass of core's registry on a model, the record the
// workspace keeps of it, and its export — through torch-free faces only. Without LibTorch it
// says it cannot (compression_unavailable.cpp).

#include "compress/pass.h"
#include "job/job.h"
#include "records/pass_record.h"
#include "runtime/model_kind.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

// What a front end asks for: files, not data.
struct PassRequest {
    std::string method; // a registered pass: "svd-llm"
    double ratio = 0.4; // target fraction of the targeted parameters removed
    // The calibration data of the model's kind: a text file (documents between blank lines,
    // taken from its end) for a language model; an IDX image set (the first images; a training
    // set, never a test set) and its labels for a vision model; an annotation file or folder
    // (layout/layout_reader.h; the first pages) for a layout model.
    std::string calibrationFile;
    std::string calibrationLabels;
    // Instead, for a language model that reads images: images with questions and answers
    // (data/image_questions.h: LLaVA conversations or COCO captions; the first ones).
    std::string calibrationQuestions;
    long calibrationCount = kDefaultCalibrationCount; // documents, images or pages
    std::map<std::string, double> settings;           // values for the pass's settings; the rest keep their defaults
    std::string tokenizer;                            // a language model's; empty: the one beside the model
    ModelOptions model;                               // a vision model's sidecar config
    std::string device = "cpu";                       // where the pass runs: "cpu", "cuda", "cuda:1"…
};

// What a finished pass hands to a front end: the model to export and compare, and its record.
struct PassResult {
    std::shared_ptr<const CompressedModel> model;
    PassRecord record;     // everything but its id
    std::string tokenizer; // the tokenizer file it read (language models): exports carry a copy
};

// A pass ready to run: its files read and checked against the model and the pass, nothing
// loaded yet.
struct PreparedPass {
    const CompressionPass *pass = nullptr;
    ModelKind kind = ModelKind::Language;
    CompressionRequest request; // the calibration data read, every setting's value
    ModelOptions model;
    PassRecord record;     // what is known before it runs: settings, data files
    std::string tokenizer; // a language model's tokenizer file
};

// Whether this build can run passes (it was built with LibTorch).
bool canCompress();

// Reads the request's files and checks them, and the request, against the model and the pass,
// in milliseconds: nothing is loaded. `log` says what it reads. Throws FileError naming a file
// it cannot use (no tokenizer, unreadable calibration data), std::invalid_argument for a
// request the pass or the model refuses.
PreparedPass preparePass(const Checkpoint &checkpoint, const PassRequest &request,
                         const std::function<void(const std::string &)> &log);

// Runs the prepared pass on a copy of the model of `checkpoint`, which stays as it is.
// `onStep` sees each training step on the job's thread. Throws Cancelled.
PassResult runPrepared(const Checkpoint &checkpoint, PreparedPass prepared,
                       const std::function<void(const TrainingStep &)> &onStep, const JobContext &job,
                       const std::function<void(const std::string &)> &log);

// preparePass, then runPrepared.
PassResult runCompression(const Checkpoint &checkpoint, const PassRequest &request,
                          const std::function<void(const TrainingStep &)> &onStep, const JobContext &job,
                          const std::function<void(const std::string &)> &log);

// Writes `model` as a Hugging Face folder (CompressedModel::write: all or nothing).
void exportCompressed(const CompressedModel &model, const std::string &folder, ExportFormat format,
                      const std::string &tokenizer, const JobContext &job);

inline const char *formatName(ExportFormat format) { return format == ExportFormat::Dense ? "dense" : "factorized"; }

} // namespace sculpt
