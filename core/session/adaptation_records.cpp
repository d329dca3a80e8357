#include "session/adaptation_records.h"

#include "session/data_file.h"

namespace sculpt {
namespace {

AdaptationRecord common(const std::string &command, const std::string &task, const std::string &method, int64_t rank,
                        int64_t epochs, double learningRate, uint64_t seed, const std::string &modelHash,
                        double seconds)
{
    AdaptationRecord r;
    r.command = command;
    r.task = task;
    r.method = method;
    r.rank = rank;
    r.epochs = epochs;
    r.learningRate = learningRate;
    r.seed = seed;
    r.modelHash = modelHash;
    r.seconds = seconds;
    r.date = utcNow();
    return r;
}

void keepPreview(AdaptationRecord &r, const PredictionPreview &preview)
{
    r.referencePredictions = preview.before;
    r.predictions = preview.after;
    r.referenceTestAccuracy = preview.beforeTestAccuracy;
    r.referenceTrainable = preview.beforeTrainable;
}

} // namespace

AdaptationRecord adaptationRecord(const AdaptRequest &request, const AdaptRun &run, const std::string &modelHash,
                                  double seconds)
{
    AdaptationRecord r = common("adapt", request.task, request.method, request.rank, request.epochs,
                                request.learningRate, request.seed, modelHash, seconds);
    r.trainable = run.trainable;
    r.curve = run.curve;
    if (!run.curve.empty())
        r.validationAccuracy = run.curve.back().validationAccuracy;
    r.testAccuracy = run.testAccuracy;
    keepPreview(r, run.preview);
    r.routing = run.routing;
    r.output = request.output;
    return r;
}

AdaptationRecord adaptationRecord(const std::string &command, const HeadScoreRequest &request, const HeadScoreRun &run,
                                  const std::string &modelHash, double seconds)
{
    AdaptationRecord r = common(command, request.task, request.epochs > 0 ? request.adapter : "none", request.rank,
                                request.epochs, request.learningRate, request.seed, modelHash, seconds);
    r.trainable = run.trainable;
    r.curve = run.curve;
    r.validationAccuracy = run.validationAccuracy;
    r.scores = run.scores;
    if (request.mask >= 0) {
        r.mask = request.mask;
        r.changedAfter = request.epochs;
        r.perLayer = request.perLayer;
        r.masked = run.masked;
        r.maskedValidationAccuracy = run.maskedValidationAccuracy;
        r.testAccuracy = run.testAccuracy;
        keepPreview(r, run.preview);
    }
    if (!request.output.empty()) {
        r.output = request.output;
        r.before = run.before;
        r.after = run.after;
    }
    return r;
}

AdaptationRecord adaptationRecord(const PruneAdaptersRequest &request, const PruneAdaptersRun &run,
                                  const std::string &modelHash, double seconds)
{
    AdaptationRecord r = common(request.method, request.task, request.adapter, request.rank,
                                request.warmup + request.epochs, request.learningRate, request.seed, modelHash,
                                seconds);
    r.trainable = run.trainable;
    r.curve = run.curve;
    r.changedAfter = request.warmup;
    r.validationAccuracy = run.validationAccuracy;
    r.maskedValidationAccuracy = run.finalValidationAccuracy;
    r.testAccuracy = run.testAccuracy;
    r.adapterScores = run.scores;
    r.sharing = run.sharing;
    r.prunedValidationAccuracy = run.prunedValidationAccuracy;
    r.adapterParametersBefore = run.adapterParametersBefore;
    r.adapterParametersAfter = run.adapterParametersAfter;
    keepPreview(r, run.preview);
    r.routing = run.routing;
    r.output = request.output;
    return r;
}

} // namespace sculpt
