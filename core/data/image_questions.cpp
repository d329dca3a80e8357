#include "data/image_questions.h"

#include "data/annotation_json.h"
#include "data/coco_captions.h"
#include "io/error.h"

#include <filesystem>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::string_view kMarker = "<image>";

std::string withoutMarker(std::string text)
{
    for (size_t at; (at = text.find(kMarker)) != std::string::npos;)
        text.erase(at, kMarker.size());
    const size_t first = text.find_first_not_of(" \t\r\n");
    const size_t last = text.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

std::vector<ImageQuestion> conversations(const json &doc, const std::string &path)
{
    const auto fail = [&](size_t entry, const std::string &why) {
        throw FileError(path, "entry " + std::to_string(entry) + " " + why);
    };
    const fs::path folder = imageFolderBeside(path);
    std::vector<ImageQuestion> pairs;
    for (size_t e = 0; e < doc.size(); ++e) {
        const json &entry = doc[e];
        if (!entry.is_object() || !entry.contains("image") || !entry["image"].is_string())
            fail(e, "has no \"image\" file name");
        const fs::path name = entry["image"].get<std::string>();
        // A name that climbs out of the folder would reach files the user did not point at.
        if (name.empty() || name.is_absolute() || name.lexically_normal().string().starts_with(".."))
            fail(e, "names the image '" + name.string() + "', outside the file's folder");
        if (!entry.contains("conversations") || !entry["conversations"].is_array())
            fail(e, "has no \"conversations\" list");
        const json &turns = entry["conversations"];
        for (size_t t = 0; t < turns.size(); ++t) {
            const json &turn = turns[t];
            if (!turn.is_object() || !turn.contains("from") || !turn.contains("value") || !turn["value"].is_string())
                fail(e, "has a turn without \"from\" and a text \"value\"");
            if (turn["from"] != "human" || t + 1 == turns.size() || turns[t + 1].value("from", "") != "gpt")
                continue;
            if (!turns[t + 1].contains("value") || !turns[t + 1]["value"].is_string())
                fail(e, "has a turn without \"from\" and a text \"value\"");
            pairs.push_back({(folder / name).string(), withoutMarker(turn["value"].get<std::string>()),
                             withoutMarker(turns[t + 1]["value"].get<std::string>())});
        }
    }
    return pairs;
}

} // namespace

std::vector<ImageQuestion> readImageQuestions(const std::string &path)
{
    std::vector<ImageQuestion> pairs;
    bool llava = false;
    {
        const json doc = readAnnotationJson(path, "image–question");
        llava = doc.is_array();
        if (llava)
            pairs = conversations(doc, path);
        else if (!doc.is_object() || !doc.contains("annotations"))
            throw FileError(path, "neither LLaVA's conversation list nor a COCO captions file");
    } // gone before a COCO file is read as one: a large one takes hundreds of megabytes
    if (!llava)
        for (const CaptionedImage &image : readCocoCaptions(path))
            for (const std::string &caption : image.captions)
                pairs.push_back({image.path, "", caption});
    if (pairs.empty())
        throw FileError(path, "holds no image with a question and its answer");
    return pairs;
}

void requireImages(std::span<const ImageQuestion> pairs, const std::string &path)
{
    for (const ImageQuestion &q : pairs)
        if (std::error_code error; !fs::is_regular_file(q.image, error))
            throw FileError(q.image, "is not there (an image of " + path + ")");
}

} // namespace sculpt
