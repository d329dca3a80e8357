#pragma once
// A compression pass: a method (SVD, FWSVD, ASVD, SVD-LLM, SoCo …) that turns a language
// model into one whose block projections are low-rank. Each method lives in its own plugin
// folder and registers itself here; the CLI and the window find passes by name and run them
// as jobs. Torch-free, like everything a front end includes.

#include "compress/compressed_model.h"
#include "job/job.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;
class Tokenizer;

// A number a pass can be tuned by, with the default a user gets and one sentence on it.
struct PassSetting {
    std::string key;
    double value = 0;
    std::string help;
};

// One optimisation step of a trained pass, for the log and the live loss curve.
struct TrainingStep {
    long step = 0, steps = 0;
    int stage = 0;              // 1, 2, 3 for SoCo
    double loss = 0;            // the whole objective
    double distillation = 0;    // its KL part
    double ratio = 0;           // achieved ratio removed (hard count) after this step
    std::vector<int64_t> active; // active components per targeted layer, in projection order
};

struct CompressionRequest {
    double ratio = 0.4;                      // target fraction of the targeted parameters removed
    std::string calibrationText;             // documents are taken from its end
    long calibrationDocuments = 32;
    std::map<std::string, double> settings;  // overrides of the pass's PassSetting defaults
    std::string device = "cpu";
    std::function<void(const TrainingStep &)> onStep; // called on the job's thread

    double setting(const std::vector<PassSetting> &defaults, const std::string &key) const;
};

class CompressionPass {
public:
    virtual ~CompressionPass() = default;
    virtual std::string name() const = 0;  // what --method takes: "svd-llm"
    virtual std::string title() const = 0; // what a menu shows: "SVD-LLM (whitening)"
    virtual std::string description() const = 0;
    virtual bool needsCalibration() const = 0;
    virtual std::vector<PassSetting> settings() const { return {}; }

    // Compresses a copy of the model in `checkpoint` (read, never changed). Reports progress,
    // throws Cancelled when asked to stop, std::invalid_argument for a request it cannot
    // honour (no calibration text when it needs one, an unknown setting, a ratio outside
    // [0, 1)), FileError for a model it cannot run.
    virtual CompressedModel run(const Checkpoint &checkpoint, const Tokenizer &tokenizer,
                                const CompressionRequest &request, const JobContext &job) const = 0;
};

// Throws std::invalid_argument unless the pass can take the request: a ratio in [0, 1),
// calibration text when the pass needs it, only settings it declares.
void checkRequest(const CompressionPass &pass, const CompressionRequest &request);

// checkRequest, then runs the pass and records its run time.
CompressedModel runPass(const CompressionPass &pass, const Checkpoint &checkpoint, const Tokenizer &tokenizer,
                        const CompressionRequest &request, const JobContext &job = {});

// Registration happens once, from the plugins (plugins/builtin_passes.h registers the
// bundled ones); lookups are by name. Names are unique.
void registerPass(std::unique_ptr<CompressionPass> pass);
const CompressionPass *findPass(const std::string &name);
std::vector<const CompressionPass *> passes();

} // namespace sculpt
