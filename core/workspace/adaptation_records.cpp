#include "workspace/adaptation_records.h"

#include "workspace/evaluation_records.h"
#include "workspace/hdf5_object.h"
#include "workspace/numbered_records.h"

namespace sculpt {
namespace {

using namespace hdf5;

constexpr const char *kGroup = "adaptations";

// ---- the curve: one column per field -------------------------------------------------

void writeCurve(hid_t record, const std::vector<AdaptationEpoch> &curve)
{
    Hid group = createGroup(record, "curve");
    std::vector<int64_t> epoch;
    std::vector<double> loss, accuracy;
    for (const AdaptationEpoch &e : curve) {
        epoch.push_back(e.epoch);
        loss.push_back(e.trainLoss);
        accuracy.push_back(e.validationAccuracy);
    }
    writeArray(group, "epoch", H5T_STD_I64LE, H5T_NATIVE_INT64, epoch);
    writeArray(group, "train_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, loss);
    writeArray(group, "validation_accuracy", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, accuracy);
}

std::vector<AdaptationEpoch> readCurve(hid_t record)
{
    Hid group = openGroup(record, "curve");
    const auto epoch = readArray<int64_t>(group, "epoch", H5T_NATIVE_INT64);
    const auto loss = readArray<double>(group, "train_loss", H5T_NATIVE_DOUBLE);
    const auto accuracy = readArray<double>(group, "validation_accuracy", H5T_NATIVE_DOUBLE);
    if (loss.size() != epoch.size() || accuracy.size() != epoch.size())
        throw Failure(where(group) + " has columns of different lengths");
    std::vector<AdaptationEpoch> curve(epoch.size());
    for (size_t i = 0; i < curve.size(); ++i)
        curve[i] = {epoch[i], loss[i], accuracy[i]};
    return curve;
}

// ---- head scores and masked heads ----------------------------------------------------

void writeScores(hid_t record, const HeadScores &scores)
{
    // The matrix's shape is what says layers and heads: values must fill it exactly.
    if (scores.layers < 0 || scores.heads < 0 || scores.values.size() != size_t(scores.layers * scores.heads))
        throw Failure("head scores hold " + std::to_string(scores.values.size()) + " values for " +
                      std::to_string(scores.layers) + " layers × " + std::to_string(scores.heads) + " heads");
    writeString(record, "strategy", scores.strategy);
    writeArray(record, "scores", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, scores.values,
               {hsize_t(scores.layers), hsize_t(scores.heads)});
}

HeadScores readScores(hid_t record)
{
    HeadScores scores;
    scores.strategy = readString(record, "strategy");
    std::vector<hsize_t> dims;
    scores.values = readArray<double>(record, "scores", H5T_NATIVE_DOUBLE, 2, &dims);
    constexpr hsize_t kMost = hsize_t(1) << 31; // a [n, 0] matrix stores nothing, whatever n claims
    if (dims[0] > kMost || dims[1] > kMost)
        throw Failure(childPath(record, "scores") + " claims " + std::to_string(dims[0]) + " × " +
                      std::to_string(dims[1]) + " heads");
    scores.layers = int64_t(dims[0]);
    scores.heads = int64_t(dims[1]);
    return scores;
}

void writeMasked(hid_t record, const std::vector<LayerHead> &masked)
{
    std::vector<int64_t> pairs;
    for (const auto &[layer, head] : masked) {
        pairs.push_back(layer);
        pairs.push_back(head);
    }
    writeArray(record, "masked", H5T_STD_I64LE, H5T_NATIVE_INT64, pairs, {hsize_t(masked.size()), 2});
}

// A view indexes the score matrix by these heads: each must lie inside it (when there is one).
std::vector<LayerHead> readMasked(hid_t record, const HeadScores &scores)
{
    std::vector<hsize_t> dims;
    const auto pairs = readArray<int64_t>(record, "masked", H5T_NATIVE_INT64, 2, &dims);
    if (dims[1] != 2)
        throw Failure(childPath(record, "masked") + " does not hold (layer, head) pairs");
    std::vector<LayerHead> masked;
    for (size_t i = 0; i < size_t(dims[0]); ++i) {
        const LayerHead head{pairs[2 * i], pairs[2 * i + 1]};
        const bool inside = head.first >= 0 && head.second >= 0 &&
                            (scores.values.empty() || (head.first < scores.layers && head.second < scores.heads));
        if (!inside)
            throw Failure(childPath(record, "masked") + " names head (" + std::to_string(head.first) + ", " +
                          std::to_string(head.second) + "), outside the model's " + std::to_string(scores.layers) +
                          " × " + std::to_string(scores.heads));
        masked.push_back(head);
    }
    return masked;
}

// ---- the side-by-side preview: absent from runs saved before it existed ---------------

void writePreview(hid_t record, const AdaptationRecord &r)
{
    if (r.predictions.empty() && r.referencePredictions.empty())
        return;
    Hid group = createGroup(record, "preview");
    writeArray(group, "before", H5T_STD_I64LE, H5T_NATIVE_INT64, r.referencePredictions);
    writeArray(group, "after", H5T_STD_I64LE, H5T_NATIVE_INT64, r.predictions);
    writeDouble(group, "before_test_accuracy", r.referenceTestAccuracy);
    writeInt(group, "before_trainable", r.referenceTrainable);
}

void readPreview(hid_t record, AdaptationRecord &r)
{
    if (!linkExists(record, "preview"))
        return;
    Hid group = openGroup(record, "preview");
    r.referencePredictions = readArray<int64_t>(group, "before", H5T_NATIVE_INT64);
    r.predictions = readArray<int64_t>(group, "after", H5T_NATIVE_INT64);
    if (r.referencePredictions.size() != r.predictions.size())
        throw Failure(where(group) + " predicts " + std::to_string(r.referencePredictions.size()) + " images before and " +
                      std::to_string(r.predictions.size()) + " after");
    r.referenceTestAccuracy = readDouble(group, "before_test_accuracy");
    r.referenceTrainable = readInt(group, "before_trainable");
}

// ---- one record ----------------------------------------------------------------------

void writeAdaptation(hid_t adaptations, const AdaptationRecord &r)
{
    removeLink(adaptations, r.id);
    Hid group = createGroup(adaptations, r.id);
    writeString(group, "command", r.command);
    writeString(group, "task", r.task);
    writeString(group, "method", r.method);
    writeInt(group, "rank", r.rank);
    writeInt(group, "epochs", r.epochs);
    writeDouble(group, "learning_rate", r.learningRate);
    writeUnsigned(group, "seed", r.seed);
    writeInt(group, "trainable", r.trainable);
    writeDouble(group, "validation_accuracy", r.validationAccuracy);
    writeDouble(group, "test_accuracy", r.testAccuracy);
    writeDouble(group, "mask", r.mask);
    writeInt(group, "per_layer", r.perLayer ? 1 : 0);
    writeDouble(group, "masked_validation_accuracy", r.maskedValidationAccuracy);
    writeString(group, "output", r.output);
    writeInt(group, "parameters_before", r.before.parameters);
    writeInt(group, "multiply_adds_before", r.before.multiplyAdds);
    writeInt(group, "parameters_after", r.after.parameters);
    writeInt(group, "multiply_adds_after", r.after.multiplyAdds);
    writeString(group, "model_hash", r.modelHash);
    writeString(group, "date", r.date);
    writeDouble(group, "seconds", r.seconds);
    writeCurve(group, r.curve);
    writeScores(group, r.scores);
    writeMasked(group, r.masked);
    writePreview(group, r);
    writeDataFiles(group, r.data);
}

AdaptationRecord readAdaptation(hid_t group, const std::string &id)
{
    AdaptationRecord r;
    r.id = id;
    r.command = readString(group, "command");
    r.task = readString(group, "task");
    r.method = readString(group, "method");
    r.rank = readInt(group, "rank");
    r.epochs = readInt(group, "epochs");
    r.learningRate = readDouble(group, "learning_rate");
    r.seed = readUnsigned(group, "seed");
    r.trainable = readInt(group, "trainable");
    r.validationAccuracy = readDouble(group, "validation_accuracy");
    r.testAccuracy = readDouble(group, "test_accuracy");
    r.mask = readDouble(group, "mask");
    r.perLayer = readInt(group, "per_layer") != 0;
    r.maskedValidationAccuracy = readDouble(group, "masked_validation_accuracy");
    r.output = readString(group, "output");
    r.before = {readInt(group, "parameters_before"), readInt(group, "multiply_adds_before")};
    r.after = {readInt(group, "parameters_after"), readInt(group, "multiply_adds_after")};
    r.modelHash = readString(group, "model_hash");
    r.date = readString(group, "date");
    r.seconds = readDouble(group, "seconds");
    r.curve = readCurve(group);
    r.scores = readScores(group);
    r.masked = readMasked(group, r.scores);
    readPreview(group, r);
    r.data = readDataFiles(group);
    return r;
}

} // namespace

std::vector<AdaptationRecord> readAdaptations(hid_t file)
{
    return readNumberedRecords<AdaptationRecord>(file, kGroup, readAdaptation);
}

void writeAdaptations(hid_t file, std::vector<AdaptationRecord> &records)
{
    writeNumberedRecords(file, kGroup, records, writeAdaptation);
}

} // namespace sculpt
