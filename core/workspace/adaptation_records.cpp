#include "workspace/adaptation_records.h"

#include "workspace/evaluation_records.h"
#include "workspace/hdf5_object.h"
#include "workspace/numbered_records.h"

#include <algorithm>
#include <stdexcept>

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

// ---- pear's adapter scores and sharing: absent from the other runs ---------------------

// Names never hold a line break: one string per column keeps a position's strings together.
std::string joinLines(const std::vector<AdapterScore> &scores, std::string AdapterPosition::*field)
{
    std::string all;
    for (size_t i = 0; i < scores.size(); ++i)
        all += (i ? "\n" : "") + scores[i].position.*field;
    return all;
}

// Throws Failure unless `all` holds `count` lines.
std::vector<std::string> splitLines(hid_t group, const std::string &name, size_t count)
{
    const std::string all = readString(group, name);
    std::vector<std::string> lines;
    for (size_t start = 0; count > 0;) {
        const size_t end = std::min(all.find('\n', start), all.size());
        lines.push_back(all.substr(start, end - start));
        if (end == all.size())
            break;
        start = end + 1;
    }
    if (lines.size() != count)
        throw Failure(childPath(group, name) + " names " + std::to_string(lines.size()) + " adapters, not " +
                      std::to_string(count));
    return lines;
}

void writeAdapters(hid_t record, const AdaptationRecord &r)
{
    if (r.adapterScores.empty())
        return;
    Hid group = createGroup(record, "adapters");
    std::vector<int64_t> layer, parameters, pruned, servedBy;
    std::vector<double> score;
    for (const AdapterScore &s : r.adapterScores) {
        layer.push_back(s.position.layer);
        parameters.push_back(s.position.parameters);
        score.push_back(s.score);
    }
    for (size_t i = 0; i < r.sharing.pruned.size(); ++i) {
        pruned.push_back(r.sharing.pruned[i] ? 1 : 0);
        servedBy.push_back(r.sharing.servedBy[i]);
    }
    writeString(group, "sites", joinLines(r.adapterScores, &AdapterPosition::site));
    writeString(group, "roles", joinLines(r.adapterScores, &AdapterPosition::role));
    writeString(group, "kinds", joinLines(r.adapterScores, &AdapterPosition::kind));
    writeArray(group, "layer", H5T_STD_I64LE, H5T_NATIVE_INT64, layer);
    writeArray(group, "parameters", H5T_STD_I64LE, H5T_NATIVE_INT64, parameters);
    writeArray(group, "score", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, score);
    writeArray(group, "pruned", H5T_STD_I64LE, H5T_NATIVE_INT64, pruned);
    writeArray(group, "served_by", H5T_STD_I64LE, H5T_NATIVE_INT64, servedBy);
    writeDouble(group, "fraction", r.sharing.fraction);
    writeString(group, "rule", r.sharing.rule);
    writeInt(group, "knowledge_checkpoint", r.sharing.knowledgeCheckpoint ? 1 : 0);
    writeDouble(group, "pruned_validation_accuracy", r.prunedValidationAccuracy);
    writeInt(group, "parameters_before", r.adapterParametersBefore);
    writeInt(group, "parameters_after", r.adapterParametersAfter);
}

void readAdapters(hid_t record, AdaptationRecord &r)
{
    if (!linkExists(record, "adapters"))
        return;
    Hid group = openGroup(record, "adapters");
    const auto layer = readArray<int64_t>(group, "layer", H5T_NATIVE_INT64);
    const auto parameters = readArray<int64_t>(group, "parameters", H5T_NATIVE_INT64);
    const auto score = readArray<double>(group, "score", H5T_NATIVE_DOUBLE);
    const auto pruned = readArray<int64_t>(group, "pruned", H5T_NATIVE_INT64);
    const auto servedBy = readArray<int64_t>(group, "served_by", H5T_NATIVE_INT64);
    const size_t n = layer.size();
    if (parameters.size() != n || score.size() != n || pruned.size() != n || servedBy.size() != n)
        throw Failure(where(group) + " has columns of different lengths");
    const auto sites = splitLines(group, "sites", n);
    const auto roles = splitLines(group, "roles", n);
    const auto kinds = splitLines(group, "kinds", n);
    for (size_t i = 0; i < n; ++i) {
        r.adapterScores.push_back({{sites[i], layer[i], roles[i], kinds[i], parameters[i]}, score[i]});
        r.sharing.pruned.push_back(pruned[i] != 0);
        r.sharing.servedBy.push_back(servedBy[i]);
    }
    r.sharing.fraction = readDouble(group, "fraction");
    r.sharing.rule = readString(group, "rule");
    r.sharing.knowledgeCheckpoint = readInt(group, "knowledge_checkpoint") != 0;
    try { // a view follows these links: they must point at kept positions of this table
        checkAdapterSharing(r.sharing, n);
    } catch (const std::invalid_argument &e) {
        throw Failure(where(group) + ": " + e.what());
    }
    r.prunedValidationAccuracy = readDouble(group, "pruned_validation_accuracy");
    r.adapterParametersBefore = readInt(group, "parameters_before");
    r.adapterParametersAfter = readInt(group, "parameters_after");
}

// ---- routers' mean weights: absent from runs without experts --------------------------

void writeRouting(hid_t record, const ExpertRouting &routing)
{
    if (routing.empty())
        return;
    try {
        checkExpertRouting(routing);
    } catch (const std::invalid_argument &e) {
        throw Failure(e.what());
    }
    Hid group = createGroup(record, "routing");
    std::string rows;
    for (size_t i = 0; i < routing.rows.size(); ++i)
        rows += (i ? "\n" : "") + routing.rows[i];
    writeString(group, "rows", rows);
    writeArray(group, "weights", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, routing.weights,
               {hsize_t(routing.rows.size()), hsize_t(routing.experts)});
}

void readRouting(hid_t record, AdaptationRecord &r)
{
    if (!linkExists(record, "routing"))
        return;
    Hid group = openGroup(record, "routing");
    std::vector<hsize_t> dims;
    r.routing.weights = readArray<double>(group, "weights", H5T_NATIVE_DOUBLE, 2, &dims);
    r.routing.rows = splitLines(group, "rows", size_t(dims[0]));
    r.routing.experts = int64_t(dims[1]);
    try { // a view draws these as a heatmap: each row a distribution
        checkExpertRouting(r.routing);
    } catch (const std::invalid_argument &e) {
        throw Failure(where(group) + ": " + e.what());
    }
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
    writeInt(group, "changed_after", r.changedAfter);
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
    writeAdapters(group, r);
    writeRouting(group, r.routing);
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
    // Workspaces written before it existed held only heat's change, after its first training.
    r.changedAfter = hasAttribute(group, "changed_after") ? readInt(group, "changed_after")
                     : r.command == "heat" && r.mask >= 0 ? r.epochs
                                                          : 0;
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
    readAdapters(group, r);
    readRouting(group, r);
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
