#include "workspace/pass_records.h"

#include "workspace/evaluation_records.h"
#include "workspace/hdf5_object.h"
#include "workspace/numbered_records.h"

#include <algorithm>

namespace sculpt {
namespace {

using namespace hdf5;

constexpr const char *kGroup = "passes";

// ---- arrays: one dataset each, 1-D or 2-D ----------------------------------------------

template <typename T>
void writeArray(hid_t group, const std::string &name, hid_t fileType, hid_t memoryType, const std::vector<T> &values,
                std::vector<hsize_t> dims = {})
{
    if (dims.empty())
        dims = {hsize_t(values.size())};
    const std::string what = childPath(group, name);
    Hid space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose, "cannot write " + what);
    Hid data(H5Dcreate2(group, name.c_str(), fileType, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
             "cannot create " + what);
    if (!values.empty()) // HDF5 wants a buffer even for nothing
        check(H5Dwrite(data, memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "cannot write " + what);
}

// The dataset's values, checked to have `rank` dimensions; its shape goes to `dims`.
template <typename T>
std::vector<T> readArray(hid_t group, const std::string &name, hid_t memoryType, int rank = 1,
                         std::vector<hsize_t> *dims = nullptr)
{
    const std::string what = childPath(group, name);
    Hid data(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + what);
    Hid space(H5Dget_space(data), H5Sclose, "cannot read " + what);
    std::vector<hsize_t> shape(size_t(std::max(rank, 1)));
    if (H5Sget_simple_extent_ndims(space) != rank || H5Sget_simple_extent_dims(space, shape.data(), nullptr) != rank)
        throw Failure(what + " does not have " + std::to_string(rank) + " dimension(s)");
    hsize_t count = 1;
    for (const hsize_t d : shape)
        count *= d;
    std::vector<T> values(count);
    if (count > 0)
        check(H5Dread(data, memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "cannot read " + what);
    if (dims)
        *dims = shape;
    return values;
}

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

void writeLog(hid_t pass, const std::vector<TrainingStep> &log)
{
    Hid group = createGroup(pass, "log");
    std::vector<int64_t> step, stage, active;
    std::vector<double> loss, kl, ratio;
    const size_t layers = log.empty() ? 0 : log.front().active.size();
    for (const TrainingStep &s : log) {
        step.push_back(s.step);
        stage.push_back(s.stage);
        loss.push_back(s.loss);
        kl.push_back(s.distillation);
        ratio.push_back(s.ratio);
        if (s.active.size() != layers)
            throw Failure("a training step counts " + std::to_string(s.active.size()) + " layers, the first " +
                          std::to_string(layers));
        active.insert(active.end(), s.active.begin(), s.active.end());
    }
    writeArray(group, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, step);
    writeArray(group, "stage", H5T_STD_I64LE, H5T_NATIVE_INT64, stage);
    writeArray(group, "loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, loss);
    writeArray(group, "kl", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, kl);
    writeArray(group, "ratio", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ratio);
    if (layers > 0)
        writeArray(group, "active", H5T_STD_I64LE, H5T_NATIVE_INT64, active, {hsize_t(log.size()), hsize_t(layers)});
}

std::vector<TrainingStep> readLog(hid_t pass)
{
    Hid group = openGroup(pass, "log");
    const auto step = readArray<int64_t>(group, "step", H5T_NATIVE_INT64);
    const auto stage = readArray<int64_t>(group, "stage", H5T_NATIVE_INT64);
    const auto loss = readArray<double>(group, "loss", H5T_NATIVE_DOUBLE);
    const auto kl = readArray<double>(group, "kl", H5T_NATIVE_DOUBLE);
    const auto ratio = readArray<double>(group, "ratio", H5T_NATIVE_DOUBLE);
    const size_t n = step.size();
    if (stage.size() != n || loss.size() != n || kl.size() != n || ratio.size() != n)
        throw Failure(where(group) + " has columns of different lengths");
    std::vector<int64_t> active;
    std::vector<hsize_t> dims{hsize_t(n), 0};
    if (linkExists(group, "active")) {
        active = readArray<int64_t>(group, "active", H5T_NATIVE_INT64, 2, &dims);
        if (dims[0] != n)
            throw Failure(where(group) + "/active has " + std::to_string(dims[0]) + " rows for " + std::to_string(n) +
                          " steps");
    }
    std::vector<TrainingStep> log(n);
    for (size_t i = 0; i < n; ++i) {
        TrainingStep &s = log[i];
        s.step = long(step[i]);
        s.steps = long(n); // only finished passes are stored
        s.stage = int(stage[i]);
        s.loss = loss[i];
        s.distillation = kl[i];
        s.ratio = ratio[i];
        s.active.assign(active.begin() + ptrdiff_t(i * dims[1]), active.begin() + ptrdiff_t((i + 1) * dims[1]));
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
    writeString(group, "spectrum_of", r.spectrumOf);
    writeInt(group, "calibration_documents", r.calibrationDocuments);
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
    r.spectrumOf = readString(group, "spectrum_of");
    r.calibrationDocuments = long(readInt(group, "calibration_documents"));
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
