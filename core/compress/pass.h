#pragma once
// A compression pass: a method (SVD, FWSVD, ASVD, SVD-LLM, SoCo …) that makes the linear sites
// inside a model's blocks low-rank. Each method lives in its own plugin folder and registers
// itself here; the CLI and the window find passes by name, enable and check them from what
// they declare — the kinds of model, the calibration data, typed settings — and run them as
// jobs. Torch-free, like everything a front end includes.

#include "compress/compressed_model.h"
#include "data/image_questions.h"
#include "job/job.h"
#include "layout/page.h"
#include "records/pass_record.h"
#include "runtime/model_kind.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sculpt {

class Calibration;
class Checkpoint;
class Model;
class Tokenizer;
struct IdxImages;

// A value a pass can be tuned by: its type, the default a user gets and one sentence on it.
struct PassSetting {
    enum class Type { Integer, Number, Boolean, Choice };
    std::string key;
    Type type = Type::Number;
    double value = 0; // the default: a Boolean's is 0 or 1, a Choice's the index of one of `choices`
    std::string help;
    std::vector<std::string> choices; // a Choice's names, in index order
};

// `text` as a value of `setting` — "12", "0.5", "true"/"false"/"1"/"0", a choice's name or
// index — or nothing when it is not one (a fraction for an integer, an unknown choice).
std::optional<double> parseSetting(const PassSetting &setting, const std::string &text);
// The value as parseSetting reads it: "12", "0.5", "true", a choice's name.
std::string settingText(const PassSetting &setting, double value);

// One default for how much calibration data a pass takes, in the window and the CLI alike.
inline constexpr long kDefaultCalibrationCount = 32;
// A diffusion model's activations depend on the step as much as on the page: each calibration
// page of a layout model is seen at this many steps, one in each equal stretch of the schedule.
inline constexpr long kCalibrationNoiseLevels = 8;

// What data-aware passes calibrate on, of the model's kind: for a language model, text
// (blank-line separated documents, taken from its end, so evaluation documents from its start
// never overlap them) and the model's tokenizer; for a vision model, images (the first
// `count` — a training set, never the test set they are measured on) with one label each when
// the pass needs a loss; for a layout model, annotated pages (the first `count` it can read),
// whose noise is their own target.
//
// A language model that reads images may calibrate instead on images with questions and
// answers (the first `count`), its prompts made as generation makes them, by the image
// processor of the model at `modelPath`: what is learnt is the answer.
struct CalibrationData {
    std::string text;
    std::shared_ptr<const Tokenizer> tokenizer;
    std::shared_ptr<const IdxImages> images;
    std::vector<uint8_t> labels;
    std::vector<ImageQuestion> questions;
    std::string modelPath;
    std::shared_ptr<const std::vector<Page>> pages;
    long count = kDefaultCalibrationCount; // documents, images, questions or pages

    bool empty() const { return text.empty() && !images && questions.empty() && !pages; }
};

struct CompressionRequest {
    double ratio = 0.4;                     // target fraction of the targeted parameters removed
    CalibrationData calibration;
    std::map<std::string, double> settings; // values for the pass's settings; the rest keep their defaults
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
    // The kinds of model it compresses: by default every kind, each calibrating on its own data.
    virtual std::vector<ModelKind> models() const { return {ModelKind::Language, ModelKind::Vision, ModelKind::Layout}; }
    virtual bool needsCalibration() const = 0;
    // Whether it needs a loss on the calibration data: images then need their labels (text
    // brings its own targets, the next tokens).
    virtual bool needsLabels() const { return false; }
    // Whether it learns from images with questions (a vision-language model's): text will not do.
    virtual bool needsImageQuestions() const { return false; }
    // Whether it removes a share of the parameters (request.ratio); a conversion does not.
    virtual bool takesRatio() const { return true; }
    virtual std::vector<PassSetting> settings() const { return {}; }

    // Compresses `model`, a copy of its own to change, calibrating on `calibration` (empty
    // unless it needs calibration). Reports progress, throws Cancelled when asked to stop.
    virtual CompressedModel run(std::shared_ptr<Model> model, const Calibration &calibration,
                                const CompressionRequest &request, const JobContext &job) const = 0;
};

// What a model of `kind` calibrates on, in a word: "text", "images", "layouts".
std::string calibrationKind(ModelKind kind);

// Throws std::invalid_argument, in one line, unless the pass takes models of `kind`.
void checkModelKind(const CompressionPass &pass, ModelKind kind);
// Throws std::invalid_argument, in one line, unless the pass can take a model of `kind` and
// the request: a ratio in [0, 1), calibration data of the model's kind when the pass needs it
// (labels too when it needs a loss on images), only settings it declares, each a value of its
// type.
void checkRequest(const CompressionPass &pass, ModelKind kind, const CompressionRequest &request);

// Loads the model of `checkpoint` (read, never changed), checks the request against it, builds
// its calibration batches, runs the pass and records its run time. Throws FileError for a model
// it cannot run, std::invalid_argument as checkRequest, Cancelled.
CompressedModel runPass(const CompressionPass &pass, const Checkpoint &checkpoint, const ModelOptions &options,
                        const CompressionRequest &request, const JobContext &job = {});

// Registration happens once, from the plugins (plugins/builtin_passes.h registers the
// bundled ones); lookups are by name. Names are unique.
void registerPass(std::unique_ptr<CompressionPass> pass);
const CompressionPass *findPass(const std::string &name);
std::vector<const CompressionPass *> passes();

} // namespace sculpt
