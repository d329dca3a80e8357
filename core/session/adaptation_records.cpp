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

} // namespace

AdaptationRecord adaptationRecord(const AdaptRequest &request, const AdaptRun &run, const std::string &modelHash,
                                  double seconds)
{
    AdaptationRecord r = common("adapt", request.task, request.method, request.rank, request.epochs,
                                request.learningRate, request.seed, modelHash, seconds);
    r.trainable = run.trainable;
    for (const AdaptEpoch &e : run.epochs)
        r.curve.push_back({e.epoch, e.trainLoss, e.validationAccuracy});
    if (!run.epochs.empty())
        r.validationAccuracy = run.epochs.back().validationAccuracy;
    r.testAccuracy = run.testAccuracy;
    r.output = request.output;
    return r;
}

AdaptationRecord adaptationRecord(const std::string &command, const HeadScoreRequest &request, const HeadScoreRun &run,
                                  const std::string &modelHash, double seconds)
{
    AdaptationRecord r = common(command, request.task, request.epochs > 0 ? request.adapter : "none", request.rank,
                                request.epochs, request.learningRate, request.seed, modelHash, seconds);
    r.trainable = run.trainable;
    r.validationAccuracy = run.validationAccuracy;
    r.scores = run.scores;
    if (request.mask >= 0) {
        r.mask = request.mask;
        r.perLayer = request.perLayer;
        r.masked = run.masked;
        r.maskedValidationAccuracy = run.maskedValidationAccuracy;
        r.testAccuracy = run.testAccuracy;
    }
    if (!request.output.empty()) {
        r.output = request.output;
        r.before = run.before;
        r.after = run.after;
    }
    return r;
}

} // namespace sculpt
