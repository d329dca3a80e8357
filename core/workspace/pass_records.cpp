#include "workspace/pass_records.h"

#include "io/joined.h"
#include "workspace/evaluation_records.h"
#include "workspace/hdf5_object.h"
#include "workspace/numbered_records.h"

#include <algorithm>

namespace sculpt {
namespace {

using namespace hdf5;

constexpr const char *kGroup = "passes";

// ---- one pass ------------------------------------------------------------------------

void writeLayers(hid_t pass, const std::vector<CompressedLayer> &layers)
{
    Hid group = createGroup(pass, "layers");
    for (size_t i = 0; i < layers.size(); ++i) {
        const CompressedLayer &l = layers[i];
        Hid layer = createGroup(group, recordId(long(i)));
        writeString(layer, "name", l.name);
        writeInt(layer, "rows", l.rows);
        writeInt(layer, "cols", l.cols);
        writeInt(layer, "rank", l.rank);
        writeInt(layer, "dense", l.dense ? 1 : 0);
        writeArray(layer, "singular_values", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, l.singularValues);
        if (!l.gains.empty())
            writeArray(layer, "gains", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, l.gains);
    }
}

std::vector<CompressedLayer> readLayers(hid_t pass)
{
    std::vector<CompressedLayer> layers;
    Hid group = openGroup(pass, "layers");
    for (const std::string &index : childNames(group)) {
        Hid layer = openGroup(group, index);
        CompressedLayer l;
        l.name = readString(layer, "name");
        l.rows = readInt(layer, "rows");
        l.cols = readInt(layer, "cols");
        l.rank = readInt(layer, "rank");
        l.dense = readInt(layer, "dense") != 0;
        l.singularValues = readArray<float>(layer, "singular_values", H5T_NATIVE_FLOAT);
        if (linkExists(layer, "gains"))
            l.gains = readArray<float>(layer, "gains", H5T_NATIVE_FLOAT);
        if (!l.gains.empty() && l.gains.size() != l.singularValues.size())
            throw Failure(where(layer) + " has " + std::to_string(l.gains.size()) + " gains for " +
                          std::to_string(l.singularValues.size()) + " singular values");
        layers.push_back(std::move(l));
    }
    return layers;
}

// Names kept in order as one attribute: a newline cannot be part of a name Sculpt gives.
std::string lines(const std::vector<std::string> &names) { return joined(names, "\n"); }

std::vector<std::string> split(const std::string &text)
{
    std::vector<std::string> names;
    size_t start = 0;
    while (!text.empty() && start <= text.size()) {
        const size_t end = text.find('\n', start);
        names.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return names;
}

// The names in the order the first step gives them; every step must give the same ones.
template <typename Entry>
std::vector<std::string> columns(const std::vector<TrainingStep> &log, const std::vector<Entry> TrainingStep::*field)
{
    std::vector<std::string> names;
    if (log.empty())
        return names;
    for (const Entry &e : log.front().*field)
        names.push_back(e.first);
    for (const TrainingStep &s : log) {
        std::vector<std::string> here;
        for (const Entry &e : s.*field)
            here.push_back(e.first);
        if (here != names)
            throw Failure("training step " + std::to_string(s.step) + " logs other values than the first");
    }
    return names;
}

void writeLog(hid_t pass, const std::vector<TrainingStep> &log)
{
    Hid group = createGroup(pass, "log");
    std::vector<int64_t> step, stage;
    std::vector<std::string> stages;
    for (const TrainingStep &s : log) {
        step.push_back(s.step);
        const auto known = std::find(stages.begin(), stages.end(), s.stage);
        stage.push_back(known - stages.begin());
        if (known == stages.end())
            stages.push_back(s.stage);
    }
    writeArray(group, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, step);
    writeArray(group, "stage", H5T_STD_I64LE, H5T_NATIVE_INT64, stage);
    writeString(group, "stages", lines(stages));
    const std::vector<std::string> valueNames = columns(log, &TrainingStep::values);
    writeString(group, "values", lines(valueNames));
    Hid values = createGroup(group, "value");
    for (size_t v = 0; v < valueNames.size(); ++v) {
        std::vector<double> column;
        for (const TrainingStep &s : log)
            column.push_back(s.values[v].second);
        writeArray(values, valueNames[v], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, column);
    }
    const std::vector<std::string> countNames = columns(log, &TrainingStep::counts);
    writeString(group, "counts", lines(countNames));
    Hid counts = createGroup(group, "count");
    for (size_t c = 0; c < countNames.size(); ++c) {
        const size_t sites = log.front().counts[c].second.size();
        std::vector<int64_t> table;
        for (const TrainingStep &s : log) {
            if (s.counts[c].second.size() != sites)
                throw Failure("a training step counts " + std::to_string(s.counts[c].second.size()) + " sites, the first " +
                              std::to_string(sites));
            table.insert(table.end(), s.counts[c].second.begin(), s.counts[c].second.end());
        }
        writeArray(counts, countNames[c], H5T_STD_I64LE, H5T_NATIVE_INT64, table, {hsize_t(log.size()), hsize_t(sites)});
    }
}

// A log as workspace version 1 wrote it: SoCo's fields as columns of their own.
void readVersion1Log(hid_t group, std::vector<TrainingStep> &log)
{
    const auto stage = readArray<int64_t>(group, "stage", H5T_NATIVE_INT64);
    std::vector<std::vector<double>> columns;
    for (const char *name : {"loss", "kl", "ratio"})
        columns.push_back(readArray<double>(group, name, H5T_NATIVE_DOUBLE));
    std::vector<hsize_t> dims{hsize_t(log.size()), 0};
    const std::vector<int64_t> active =
        linkExists(group, "active") ? readArray<int64_t>(group, "active", H5T_NATIVE_INT64, 2, &dims) : std::vector<int64_t>{};
    if (stage.size() != log.size() || columns[0].size() != log.size() || columns[1].size() != log.size() ||
        columns[2].size() != log.size() || dims[0] != log.size())
        throw Failure(where(group) + " has columns of different lengths");
    for (size_t i = 0; i < log.size(); ++i) {
        log[i].stage = std::to_string(stage[i]);
        log[i].values = {{"loss", columns[0][i]}, {"kl", columns[1][i]}, {"ratio", columns[2][i]}};
        if (dims[1] > 0)
            log[i].counts = {{"active", std::vector<int64_t>(active.begin() + ptrdiff_t(i * dims[1]),
                                                              active.begin() + ptrdiff_t((i + 1) * dims[1]))}};
    }
}

std::vector<TrainingStep> readLog(hid_t pass)
{
    Hid group = openGroup(pass, "log");
    const auto step = readArray<int64_t>(group, "step", H5T_NATIVE_INT64);
    const size_t n = step.size();
    std::vector<TrainingStep> log(n);
    for (size_t i = 0; i < n; ++i) {
        log[i].step = long(step[i]);
        log[i].steps = long(n); // only finished passes are stored
    }
    if (!hasAttribute(group, "stages")) {
        readVersion1Log(group, log);
        return log;
    }
    const auto stage = readArray<int64_t>(group, "stage", H5T_NATIVE_INT64);
    const std::vector<std::string> stages = split(readString(group, "stages"));
    if (stage.size() != n)
        throw Failure(where(group) + " has columns of different lengths");
    for (size_t i = 0; i < n; ++i) {
        if (stage[i] < 0 || size_t(stage[i]) >= stages.size())
            throw Failure(where(group) + " names stage " + std::to_string(stage[i]) + " of " + std::to_string(stages.size()));
        log[i].stage = stages[size_t(stage[i])];
    }
    Hid values = openGroup(group, "value");
    for (const std::string &name : split(readString(group, "values"))) {
        const auto column = readArray<double>(values, name, H5T_NATIVE_DOUBLE);
        if (column.size() != n)
            throw Failure(childPath(values, name) + " has " + std::to_string(column.size()) + " rows for " +
                          std::to_string(n) + " steps");
        for (size_t i = 0; i < n; ++i)
            log[i].values.emplace_back(name, column[i]);
    }
    Hid counts = openGroup(group, "count");
    for (const std::string &name : split(readString(group, "counts"))) {
        std::vector<hsize_t> dims{hsize_t(n), 0};
        const auto table = readArray<int64_t>(counts, name, H5T_NATIVE_INT64, 2, &dims);
        if (dims[0] != n)
            throw Failure(childPath(counts, name) + " has " + std::to_string(dims[0]) + " rows for " + std::to_string(n) +
                          " steps");
        for (size_t i = 0; i < n; ++i)
            log[i].counts.emplace_back(name, std::vector<int64_t>(table.begin() + ptrdiff_t(i * dims[1]),
                                                                   table.begin() + ptrdiff_t((i + 1) * dims[1])));
    }
    return log;
}

void writePass(hid_t passes, const PassRecord &r)
{
    removeLink(passes, r.id);
    Hid group = createGroup(passes, r.id);
    const CompressionSummary &s = r.summary;
    writeString(group, "method", s.method);
    writeDouble(group, "target_ratio", s.targetRatio);
    writeDouble(group, "ratio", s.ratio);
    writeInt(group, "parameters_before", s.parametersBefore);
    writeInt(group, "parameters_after", s.parametersAfter);
    writeDouble(group, "seconds", s.seconds);
    writeString(group, "spectrum_of", s.spectrumOf);
    writeInt(group, "parameters_added", s.parametersAdded);
    writeDouble(group, "decoder_macs_before", s.decoderMacsBefore);
    writeDouble(group, "decoder_macs_after", s.decoderMacsAfter);
    writeString(group, "model_kind", r.modelKind);
    writeString(group, "calibration", r.calibration);
    writeInt(group, "calibration_count", r.calibrationCount);
    writeString(group, "date", r.date);
    writeString(group, "export_path", r.exportPath);
    writeString(group, "export_format", r.exportFormat);
    Hid settings = createGroup(group, "settings");
    for (const auto &[key, value] : r.settings)
        writeDouble(settings, key, value);
    writeDataFiles(group, r.data);
    writeLayers(group, s.layers);
    writeLog(group, r.log);
    std::vector<Evaluation> evaluations = r.evaluations; // numbered within the pass
    for (Evaluation &e : evaluations)
        e.id.clear();
    writeEvaluations(group, evaluations);
}

PassRecord readPass(hid_t group, const std::string &id)
{
    PassRecord r;
    r.id = id;
    CompressionSummary &s = r.summary;
    s.method = readString(group, "method");
    s.targetRatio = readDouble(group, "target_ratio");
    s.ratio = readDouble(group, "ratio");
    s.parametersBefore = readInt(group, "parameters_before");
    s.parametersAfter = readInt(group, "parameters_after");
    s.seconds = readDouble(group, "seconds");
    s.spectrumOf = readString(group, "spectrum_of");
    if (hasAttribute(group, "parameters_added")) { // earlier workspaces' passes neither added nor counted
        s.parametersAdded = readInt(group, "parameters_added");
        s.decoderMacsBefore = readDouble(group, "decoder_macs_before");
        s.decoderMacsAfter = readDouble(group, "decoder_macs_after");
    }
    if (hasAttribute(group, "calibration_count")) {
        if (hasAttribute(group, "model_kind"))
            r.modelKind = readString(group, "model_kind");
        r.calibration = readString(group, "calibration");
        r.calibrationCount = long(readInt(group, "calibration_count"));
    } else { // version 1: language models only
        r.calibrationCount = long(readInt(group, "calibration_documents"));
        r.calibration = r.calibrationCount > 0 ? "text" : "";
    }
    r.date = readString(group, "date");
    r.exportPath = readString(group, "export_path");
    r.exportFormat = readString(group, "export_format");
    Hid settings = openGroup(group, "settings");
    for (const std::string &key : attributeNames(settings))
        r.settings[key] = readDouble(settings, key);
    r.data = readDataFiles(group);
    s.layers = readLayers(group);
    r.log = readLog(group);
    r.evaluations = readEvaluations(group);
    return r;
}

} // namespace

std::vector<PassRecord> readPasses(hid_t file)
{
    return readNumberedRecords<PassRecord>(file, kGroup, readPass);
}

void writePasses(hid_t file, std::vector<PassRecord> &passes)
{
    writeNumberedRecords(file, kGroup, passes, writePass);
}

} // namespace sculpt
