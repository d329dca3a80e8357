#include "compression.h"

#include "builtin_passes.h"
#include "data_file.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "data/text.h"
#include "runtime/model_tokenizer.h"

#include <mutex>
#include <stdexcept>

namespace sculpt {
namespace {

// Which matrix each bundled pass decomposes, so plots never pass σ of a weighted matrix
// off as W's own.
std::string spectrumOf(const std::string &method, const std::map<std::string, double> &settings)
{
    if (method == "svd")
        return "W";
    if (method == "svd-llm")
        return "W·S";
    if (method == "soco") {
        const auto whiten = settings.find("whiten");
        return whiten != settings.end() && whiten->second == 0 ? "W" : "W·S";
    }
    if (method == "fwsvd")
        return "diag(r)·W";
    if (method == "asvd")
        return "W·diag(s)";
    return {}; // a pass this code does not know: plots say only that it is the pass's matrix
}

std::map<std::string, double> effectiveSettings(const CompressionPass &pass, const std::map<std::string, double> &given)
{
    std::map<std::string, double> all;
    for (const PassSetting &s : pass.settings())
        all[s.key] = s.value;
    for (const auto &[key, value] : given)
        all[key] = value; // an unknown key stays in, for runPass to refuse by name
    return all;
}

} // namespace

bool canCompress() { return true; }

std::vector<const CompressionPass *> compressionPasses()
{
    static std::once_flag registered;
    std::call_once(registered, registerBuiltinPasses);
    return passes();
}

PassResult runCompression(const Checkpoint &checkpoint, const PassRequest &request,
                          const std::function<void(const TrainingStep &)> &onStep, const JobContext &job,
                          const std::function<void(const std::string &)> &log)
{
    compressionPasses();
    const CompressionPass *pass = findPass(request.method);
    if (!pass)
        throw std::invalid_argument("no compression method '" + request.method + "'");

    // The files first: a wrong one fails in milliseconds, before the model is loaded.
    const ModelTokenizer tokenizer = openModelTokenizer(checkpoint, request.tokenizer, "choose one");
    log("tokenizer " + tokenizer.path);

    PassRecord record;
    CompressionRequest passRequest;
    passRequest.ratio = request.ratio;
    passRequest.settings = effectiveSettings(*pass, request.settings);
    if (pass->needsCalibration()) {
        if (request.calibrationFile.empty())
            throw std::invalid_argument(pass->title() + " needs a calibration text");
        passRequest.calibrationText = readTextFile(request.calibrationFile);
        passRequest.calibrationDocuments = request.calibrationDocuments;
        record.calibrationDocuments = request.calibrationDocuments;
        record.data.push_back(describeDataFile("calibration", request.calibrationFile));
        log("calibration: the last " + std::to_string(request.calibrationDocuments) + " documents of " +
            request.calibrationFile);
    }
    record.data.push_back(describeDataFile("tokenizer", tokenizer.path));
    passRequest.onStep = [&record, &onStep](const TrainingStep &step) {
        record.log.push_back(step);
        if (onStep)
            onStep(step);
    };

    log("running " + pass->title());
    CompressedModel model = runPass(*pass, checkpoint, *tokenizer.tokenizer, passRequest, job);
    record.summary = model.summary();
    record.settings = passRequest.settings;
    record.spectrumOf = spectrumOf(pass->name(), record.settings);
    record.date = utcNow();
    return {std::make_shared<const CompressedModel>(std::move(model)), std::move(record), tokenizer.path};
}

void exportCompressed(const CompressedModel &model, const std::string &folder, ExportFormat format,
                      const std::string &tokenizer, const JobContext &job)
{
    model.write(folder, format, tokenizer, job);
}

} // namespace sculpt
