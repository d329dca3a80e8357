#include "workspace/vision_language_records.h"

#include "workspace/evaluation_records.h"
#include "workspace/hdf5_object.h"
#include "workspace/numbered_records.h"

namespace sculpt {
namespace {

using namespace hdf5;

constexpr const char *kGroup = "vision_language_runs";

// A list of texts as one string attribute each: answers and captions may hold anything.
void writeStrings(hid_t parent, const std::string &name, const std::vector<std::string> &texts)
{
    Hid group = createGroup(parent, name);
    for (size_t i = 0; i < texts.size(); ++i)
        writeString(group, listPosition(i), texts[i]);
}

std::vector<std::string> readStrings(hid_t parent, const std::string &name)
{
    Hid group = openGroup(parent, name);
    std::vector<std::string> texts;
    for (const std::string &attribute : attributeNames(group)) {
        if (attribute != listPosition(texts.size()))
            throw Failure(childPath(parent, name) + " has '" + attribute + "' where text " +
                          std::to_string(texts.size()) + " belongs");
        texts.push_back(readString(group, attribute));
    }
    return texts;
}

void writeImage(hid_t images, size_t i, const VisionLanguageImage &image)
{
    Hid group = createGroup(images, listPosition(i));
    writeString(group, "file", image.file);
    writeInt(group, "index", image.index);
    writeString(group, "question", image.question);
    writeInt(group, "scored", image.scored ? 1 : 0);
    writeStrings(group, "references", image.references);
}

VisionLanguageImage readImage(hid_t group)
{
    return {readString(group, "file"), readInt(group, "index"), readString(group, "question"),
            readStrings(group, "references"), readInt(group, "scored") != 0};
}

void writeModel(hid_t models, size_t i, const VisionLanguageAnswers &m)
{
    Hid group = createGroup(models, listPosition(i));
    writeString(group, "name", m.name);
    writeString(group, "path", m.path);
    writeStrings(group, "answers", m.answers);
    writeArray(group, "decoder_macs", H5T_STD_I64LE, H5T_NATIVE_INT64, m.decoderMacs);
    writeArray(group, "seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, m.seconds);
    writeArray(group, "correct", H5T_STD_I64LE, H5T_NATIVE_INT64, m.correct);
}

// A view lays the answers out beside the images, one per row: every column must fit.
VisionLanguageAnswers readModel(hid_t group, size_t images)
{
    VisionLanguageAnswers m{readString(group, "name"),
                            readString(group, "path"),
                            readStrings(group, "answers"),
                            readArray<int64_t>(group, "decoder_macs", H5T_NATIVE_INT64),
                            readArray<double>(group, "seconds", H5T_NATIVE_DOUBLE),
                            readArray<int64_t>(group, "correct", H5T_NATIVE_INT64)};
    for (const size_t n : {m.answers.size(), m.decoderMacs.size(), m.seconds.size(), m.correct.size()})
        if (n != images)
            throw Failure(where(group) + " holds " + std::to_string(n) + " values for " + std::to_string(images) +
                          " images");
    return m;
}

void writeRun(hid_t runs, const VisionLanguageRun &r)
{
    removeLink(runs, r.id);
    Hid group = createGroup(runs, r.id);
    writeString(group, "prompt", r.prompt);
    writeInt(group, "max_tokens", r.maxTokens);
    writeString(group, "date", r.date);
    writeDouble(group, "seconds", r.seconds);
    writeDataFiles(group, r.data);
    Hid images = createGroup(group, "images");
    for (size_t i = 0; i < r.images.size(); ++i)
        writeImage(images, i, r.images[i]);
    Hid models = createGroup(group, "models");
    for (size_t i = 0; i < r.models.size(); ++i)
        writeModel(models, i, r.models[i]);
}

VisionLanguageRun readRun(hid_t group, const std::string &id)
{
    VisionLanguageRun r;
    r.id = id;
    r.prompt = readString(group, "prompt");
    r.maxTokens = long(readInt(group, "max_tokens"));
    r.date = readString(group, "date");
    r.seconds = readDouble(group, "seconds");
    r.data = readDataFiles(group);
    Hid images = openGroup(group, "images");
    for (const std::string &n : childNames(images))
        r.images.push_back(readImage(openGroup(images, n)));
    Hid models = openGroup(group, "models");
    for (const std::string &n : childNames(models))
        r.models.push_back(readModel(openGroup(models, n), r.images.size()));
    return r;
}

} // namespace

std::vector<VisionLanguageRun> readVisionLanguageRuns(hid_t file)
{
    return readNumberedRecords<VisionLanguageRun>(file, kGroup, readRun);
}

void writeVisionLanguageRuns(hid_t file, std::vector<VisionLanguageRun> &runs)
{
    writeNumberedRecords(file, kGroup, runs, writeRun);
}

} // namespace sculpt
