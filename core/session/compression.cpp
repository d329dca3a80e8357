#include "session/compression.h"

#include "data/idx.h"
#include "data/text.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "layout/layout_reader.h"
#include "runtime/model_tokenizer.h"
#include "session/data_file.h"

#include <algorithm>
#include <iterator>
#include <span>
#include <stdexcept>

namespace sculpt {
namespace {

std::map<std::string, double> effectiveSettings(const CompressionPass &pass, const std::map<std::string, double> &given)
{
    std::map<std::string, double> all;
    for (const PassSetting &s : pass.settings())
        all[s.key] = s.value;
    for (const auto &[key, value] : given)
        all[key] = value; // an unknown key stays in, for checkRequest to refuse by name
    return all;
}

// The calibration data of `kind` from the request's files, described in `record`.
CalibrationData readCalibration(const Checkpoint &checkpoint, ModelKind kind, const CompressionPass &pass,
                                const PassRequest &request, PassRecord &record, std::string &tokenizerPath,
                                const std::function<void(const std::string &)> &log)
{
    CalibrationData data;
    data.count = request.calibrationCount;
    if (kind == ModelKind::Language) {
        ModelTokenizer tokenizer = openModelTokenizer(checkpoint, request.tokenizer, "choose one");
        log("tokenizer " + tokenizer.path);
        tokenizerPath = tokenizer.path;
        record.data.push_back(describeDataFile("tokenizer", tokenizer.path));
        data.tokenizer = std::move(tokenizer.tokenizer);
    }
    if (!pass.needsCalibration())
        return data;
    const bool questions = !request.calibrationQuestions.empty();
    const std::string &file = questions ? request.calibrationQuestions : request.calibrationFile;
    std::vector<std::string> read{file};
    if (questions) {
        if (kind != ModelKind::Language)
            throw std::invalid_argument("images with questions calibrate a vision-language model, not a vision model");
        if (!request.calibrationFile.empty())
            throw std::invalid_argument("calibrate on text or on images with questions, not both");
        data.questions = readImageQuestions(file);
        data.modelPath = checkpoint.path();
        requireImages(std::span(data.questions).first(std::min(data.questions.size(), size_t(request.calibrationCount))),
                      file);
        record.calibration = "image questions";
        log("calibration: the first " + std::to_string(request.calibrationCount) + " image questions of " + file);
    } else if (file.empty()) {
        throw std::invalid_argument(pass.title() + " needs calibration " +
                                    (pass.needsImageQuestions() ? "images with questions (--calib-images JSON)"
                                                                : calibrationKind(kind)));
    } else if (kind == ModelKind::Layout) {
        auto pages = std::make_shared<std::vector<Page>>();
        read.clear(); // a folder's annotation files, each recorded
        for (LayoutBook &book : readLayouts(file)) {
            std::move(book.pages.begin(), book.pages.end(), std::back_inserter(*pages));
            if (std::find(read.begin(), read.end(), book.file) == read.end())
                read.push_back(book.file);
        }
        data.pages = std::move(pages);
        record.calibration = "layouts";
        log("calibration: the first " + std::to_string(request.calibrationCount) + " pages of " + file + " the model reads");
    } else if (kind == ModelKind::Language) {
        data.text = readTextFile(file);
        record.calibration = "text";
        log("calibration: the last " + std::to_string(request.calibrationCount) + " documents of " + file);
    } else {
        data.images = std::make_shared<const IdxImages>(readIdxImages(file));
        if (!request.calibrationLabels.empty()) {
            data.labels = readIdxLabels(request.calibrationLabels);
            record.data.push_back(describeDataFile("calibration labels", request.calibrationLabels));
        }
        record.calibration = "images";
        log("calibration: the first " + std::to_string(request.calibrationCount) + " images of " + file);
    }
    record.calibrationCount = request.calibrationCount;
    for (size_t i = 0; i < read.size(); ++i)
        record.data.insert(record.data.begin() + long(i), describeDataFile("calibration", read[i]));
    return data;
}

} // namespace

bool canCompress() { return true; }

PreparedPass preparePass(const Checkpoint &checkpoint, const PassRequest &request,
                         const std::function<void(const std::string &)> &log)
{
    PreparedPass prepared;
    prepared.pass = findPass(request.method);
    if (!prepared.pass)
        throw std::invalid_argument("no compression method '" + request.method + "'");
    const std::optional<ModelKind> kind = runnableKind(checkpoint, request.model);
    if (!kind)
        throw FileError(checkpoint.path(), "is not a model Sculpt runs (LLaMA, Mistral, Qwen2, GPT-2, ViT, LLaVA, sculpt-layout)");
    prepared.kind = *kind;
    checkModelKind(*prepared.pass, *kind); // before any data is read for it
    if (prepared.pass->needsImageQuestions() && !readsImages(checkpoint, request.model))
        throw std::invalid_argument("a " + claimingFamily(checkpoint, request.model)->name + " model reads no images: " +
                                    prepared.pass->name() + " converts vision-language models");
    prepared.record.modelKind = *kind == ModelKind::Language ? "language" : *kind == ModelKind::Vision ? "vision" : "layout";
    prepared.model = request.model;
    if (!request.model.sidecar.empty())
        prepared.record.data.push_back(describeDataFile("config", request.model.sidecar));
    CompressionRequest &r = prepared.request;
    r.ratio = request.ratio;
    r.device = request.device;
    r.settings = effectiveSettings(*prepared.pass, request.settings);
    r.calibration = readCalibration(checkpoint, *kind, *prepared.pass, request, prepared.record, prepared.tokenizer, log);
    checkRequest(*prepared.pass, *kind, r);
    prepared.record.settings = r.settings;
    return prepared;
}

PassResult runPrepared(const Checkpoint &checkpoint, PreparedPass prepared,
                       const std::function<void(const TrainingStep &)> &onStep, const JobContext &job,
                       const std::function<void(const std::string &)> &log)
{
    PassResult result;
    result.record = std::move(prepared.record);
    result.tokenizer = prepared.tokenizer;
    PassRecord &record = result.record;
    prepared.request.onStep = [&record, &onStep](const TrainingStep &step) {
        record.log.push_back(step);
        if (onStep)
            onStep(step);
    };
    log("running " + prepared.pass->title());
    CompressedModel model = runPass(*prepared.pass, checkpoint, prepared.model, prepared.request, job);
    record.summary = model.summary();
    record.date = utcNow();
    result.model = std::make_shared<const CompressedModel>(std::move(model));
    return result;
}

PassResult runCompression(const Checkpoint &checkpoint, const PassRequest &request,
                          const std::function<void(const TrainingStep &)> &onStep, const JobContext &job,
                          const std::function<void(const std::string &)> &log)
{
    return runPrepared(checkpoint, preparePass(checkpoint, request, log), onStep, job, log);
}

void exportCompressed(const CompressedModel &model, const std::string &folder, ExportFormat format,
                      const std::string &tokenizer, const JobContext &job)
{
    model.write(folder, format, tokenizer, job);
}

} // namespace sculpt
