#include "workspace/diff_records.h"

#include "workspace/hdf5_object.h"
#include "workspace/numbered_records.h"

namespace sculpt {
namespace {

using namespace hdf5;

constexpr const char *kGroup = "diffs";

void writeShape(hid_t group, const std::string &name, const std::vector<int64_t> &shape)
{
    writeArray(group, name, H5T_STD_I64LE, H5T_NATIVE_INT64, shape);
}

std::vector<int64_t> readShape(hid_t group, const std::string &name)
{
    return readArray<int64_t>(group, name, H5T_NATIVE_INT64);
}

void writeValues(hid_t group, const std::string &name, const std::vector<double> &values)
{
    writeArray(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values);
}

std::vector<double> readValues(hid_t group, const std::string &name)
{
    return readArray<double>(group, name, H5T_NATIVE_DOUBLE);
}

// The inventory's names back to its values; an unknown one (a newer Sculpt's) reads as the
// catch-all rather than failing the whole workspace.
template <typename Enum, typename Name> Enum parseName(const std::string &text, Enum last, Name name, Enum fallback)
{
    for (int i = 0; i <= int(last); ++i)
        if (name(Enum(i)) == text)
            return Enum(i);
    return fallback;
}

void writeTensor(hid_t tensors, size_t i, const TensorDiff &t)
{
    Hid g = createGroup(tensors, listPosition(i));
    writeString(g, "name_a", t.a.name);
    writeString(g, "name_b", t.b.name);
    writeInt(g, "factorized_a", t.a.factorized);
    writeInt(g, "factorized_b", t.b.factorized);
    writeShape(g, "shape_a", t.a.shape);
    writeShape(g, "shape_b", t.b.shape);
    writeInt(g, "block", t.block);
    writeString(g, "role", std::string(roleName(t.role)));
    writeInt(g, "rows", t.matrix ? t.matrix->rows : 0);
    writeInt(g, "cols", t.matrix ? t.matrix->cols : 0);
    writeDouble(g, "norm_a", t.normA);
    writeDouble(g, "norm_b", t.normB);
    writeDouble(g, "relative_distance", t.relativeDistance);
    writeDouble(g, "cosine", t.cosine);
    writeDouble(g, "max_abs_difference", t.maxAbsDifference);
    writeDouble(g, "stable_rank", t.stableRank);
    writeDouble(g, "subspace_overlap", t.subspaceOverlap);
    writeInt(g, "subspace_k", t.subspaceK);
    writeValues(g, "difference_spectrum", t.differenceSpectrum);
    writeValues(g, "spectrum_a", t.spectrumA);
    writeValues(g, "spectrum_b", t.spectrumB);
}

TensorDiff readTensor(hid_t g)
{
    TensorDiff t;
    t.a = {readString(g, "name_a"), readShape(g, "shape_a"), readInt(g, "factorized_a") != 0};
    t.b = {readString(g, "name_b"), readShape(g, "shape_b"), readInt(g, "factorized_b") != 0};
    t.block = int(readInt(g, "block"));
    t.role = parseName(readString(g, "role"), Role::Other, roleName, Role::Other);
    if (const int64_t rows = readInt(g, "rows"); rows > 0)
        t.matrix = MatrixShape{rows, readInt(g, "cols")};
    t.normA = readDouble(g, "norm_a");
    t.normB = readDouble(g, "norm_b");
    t.relativeDistance = readDouble(g, "relative_distance");
    t.cosine = readDouble(g, "cosine");
    t.maxAbsDifference = readDouble(g, "max_abs_difference");
    t.stableRank = readDouble(g, "stable_rank");
    t.subspaceOverlap = readDouble(g, "subspace_overlap");
    t.subspaceK = int(readInt(g, "subspace_k"));
    t.differenceSpectrum = readValues(g, "difference_spectrum");
    t.spectrumA = readValues(g, "spectrum_a");
    t.spectrumB = readValues(g, "spectrum_b");
    return t;
}

void writeSides(hid_t parent, const std::string &name, const std::vector<DiffMismatch> &items, bool sideA)
{
    Hid group = createGroup(parent, name);
    for (size_t i = 0; i < items.size(); ++i) {
        const DiffSide &side = sideA ? items[i].a : items[i].b;
        Hid g = createGroup(group, listPosition(i));
        writeString(g, "name", side.name);
        writeInt(g, "factorized", side.factorized);
        writeShape(g, "shape", side.shape);
    }
}

std::vector<DiffMismatch> readSides(hid_t parent, const std::string &name, bool sideA)
{
    std::vector<DiffMismatch> items;
    Hid group = openGroup(parent, name);
    for (const std::string &n : childNames(group)) {
        Hid g = openGroup(group, n);
        const DiffSide side{readString(g, "name"), readShape(g, "shape"), readInt(g, "factorized") != 0};
        items.push_back(sideA ? DiffMismatch{side, {}} : DiffMismatch{{}, side});
    }
    return items;
}

void writeDiff(hid_t diffs, const DiffRecord &r)
{
    removeLink(diffs, r.id);
    Hid group = createGroup(diffs, r.id);
    writeString(group, "other_path", r.otherPath);
    writeString(group, "other_fingerprint", r.otherFingerprint);
    writeString(group, "weights_a", r.weightsA);
    writeString(group, "weights_b", r.weightsB);
    writeString(group, "architecture", std::string(architectureName(r.diff.architecture)));
    writeInt(group, "top_k", r.options.topK);
    writeInt(group, "subspace_k", r.options.subspaceK);
    writeInt(group, "spectra", r.options.spectra);
    writeString(group, "date", r.date);
    writeDouble(group, "seconds", r.seconds);
    writeInt(group, "algorithm", r.algorithm);
    Hid tensors = createGroup(group, "tensors");
    for (size_t i = 0; i < r.diff.tensors.size(); ++i)
        writeTensor(tensors, i, r.diff.tensors[i]);
    writeSides(group, "only_in_a", r.diff.onlyInA, true);
    writeSides(group, "only_in_b", r.diff.onlyInB, false);
    Hid reshaped = createGroup(group, "reshaped");
    for (size_t i = 0; i < r.diff.reshaped.size(); ++i) {
        Hid g = createGroup(reshaped, listPosition(i));
        writeString(g, "name_a", r.diff.reshaped[i].a.name);
        writeString(g, "name_b", r.diff.reshaped[i].b.name);
        writeShape(g, "shape_a", r.diff.reshaped[i].a.shape);
        writeShape(g, "shape_b", r.diff.reshaped[i].b.shape);
    }
}

DiffRecord readDiff(hid_t group, const std::string &id)
{
    DiffRecord r;
    r.id = id;
    r.otherPath = readString(group, "other_path");
    r.otherFingerprint = readString(group, "other_fingerprint");
    r.weightsA = readString(group, "weights_a");
    r.weightsB = readString(group, "weights_b");
    r.diff.architecture = parseName(readString(group, "architecture"), Architecture::Generic, architectureName,
                                    Architecture::Generic);
    r.options.topK = int(readInt(group, "top_k"));
    r.options.subspaceK = int(readInt(group, "subspace_k"));
    r.options.spectra = readInt(group, "spectra") != 0;
    r.date = readString(group, "date");
    r.seconds = readDouble(group, "seconds");
    r.algorithm = hasAttribute(group, "algorithm") ? int(readInt(group, "algorithm")) : 0;
    Hid tensors = openGroup(group, "tensors");
    for (const std::string &n : childNames(tensors))
        r.diff.tensors.push_back(readTensor(openGroup(tensors, n)));
    r.diff.onlyInA = readSides(group, "only_in_a", true);
    r.diff.onlyInB = readSides(group, "only_in_b", false);
    Hid reshaped = openGroup(group, "reshaped");
    for (const std::string &n : childNames(reshaped)) {
        Hid g = openGroup(reshaped, n);
        r.diff.reshaped.push_back({{readString(g, "name_a"), readShape(g, "shape_a"), false},
                                   {readString(g, "name_b"), readShape(g, "shape_b"), false}});
    }
    return r;
}

} // namespace

std::vector<DiffRecord> readDiffs(hid_t file) { return readNumberedRecords<DiffRecord>(file, kGroup, readDiff); }

void writeDiffs(hid_t file, std::vector<DiffRecord> &diffs) { writeNumberedRecords(file, kGroup, diffs, writeDiff); }

} // namespace sculpt
