#include "workspace/evaluation_records.h"

#include "workspace/hdf5_object.h"
#include "workspace/numbered_records.h"

namespace sculpt {
namespace {

using namespace hdf5;

constexpr const char *kGroup = "evaluations";

Evaluation readEvaluation(hid_t group, const std::string &id)
{
    Evaluation e;
    e.id = id;
    e.metric = readString(group, "metric");
    e.value = readDouble(group, "value");
    e.counted = readString(group, "counted");
    e.count = readInt(group, "count");
    e.modelHash = readString(group, "model_hash");
    e.date = readString(group, "date");
    e.seconds = readDouble(group, "seconds");
    if (linkExists(group, "data"))
        e.data = readDataFiles(group);
    if (linkExists(group, "settings")) {
        Hid settings = openGroup(group, "settings");
        for (const std::string &name : attributeNames(settings))
            e.settings[name] = readString(settings, name);
    }
    if (linkExists(group, "details")) {
        Hid details = openGroup(group, "details");
        for (const std::string &name : attributeNames(details))
            e.details[name] = readDouble(details, name);
    }
    return e;
}

void writeEvaluation(hid_t evaluations, const Evaluation &e)
{
    removeLink(evaluations, e.id);
    Hid group = createGroup(evaluations, e.id);
    writeString(group, "metric", e.metric);
    writeDouble(group, "value", e.value);
    writeString(group, "counted", e.counted);
    writeInt(group, "count", e.count);
    writeString(group, "model_hash", e.modelHash);
    writeString(group, "date", e.date);
    writeDouble(group, "seconds", e.seconds);
    writeDataFiles(group, e.data);
    Hid settings = createGroup(group, "settings");
    for (const auto &[name, value] : e.settings)
        writeString(settings, name, value);
    Hid details = createGroup(group, "details");
    for (const auto &[name, value] : e.details)
        writeDouble(details, name, value);
}

} // namespace

void writeDataFiles(hid_t parent, const std::vector<DataFile> &files)
{
    Hid data = createGroup(parent, "data");
    for (const DataFile &file : files) {
        // The role names the group, so the same role twice would collide: number those.
        std::string link = escapeName(file.role);
        for (int n = 2; linkExists(data, link); ++n)
            link = escapeName(file.role) + "-" + std::to_string(n);
        Hid entry = createGroup(data, link);
        writeString(entry, "role", file.role);
        writeString(entry, "path", file.path);
        writeInt(entry, "bytes", file.bytes);
        writeString(entry, "content_hash", file.contentHash);
    }
}

std::vector<DataFile> readDataFiles(hid_t parent)
{
    std::vector<DataFile> files;
    Hid data = openGroup(parent, "data");
    for (const std::string &link : childNames(data)) {
        Hid file = openGroup(data, link);
        files.push_back({readString(file, "role"), readString(file, "path"), readInt(file, "bytes"),
                         readString(file, "content_hash")});
    }
    return files;
}

std::vector<Evaluation> readEvaluations(hid_t file)
{
    return readNumberedRecords<Evaluation>(file, kGroup, readEvaluation);
}

void writeEvaluations(hid_t file, std::vector<Evaluation> &evaluations)
{
    writeNumberedRecords(file, kGroup, evaluations, writeEvaluation);
}

} // namespace sculpt
