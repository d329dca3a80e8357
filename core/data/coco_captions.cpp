#include "data/coco_captions.h"

#include "data/annotation_json.h"
#include "io/error.h"

#include <filesystem>
#include <map>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string shortText(const json &value)
{
    std::string text = value.dump();
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

} // namespace

std::vector<CaptionedImage> readCocoCaptions(const std::string &path, const std::string &imageFolder)
{
    const json doc = readAnnotationJson(path, "COCO captions");
    const auto fail = [&](const std::string &why) { throw FileError(path, why); };
    if (!doc.is_object() || !doc.contains("images") || !doc["images"].is_array())
        fail("no \"images\" list: not a COCO captions file");
    if (!doc.contains("annotations") || !doc["annotations"].is_array())
        fail("no \"annotations\" list: not a COCO captions file");

    const fs::path folder = imageFolder.empty() ? imageFolderBeside(path) : imageFolder;
    std::vector<CaptionedImage> images;
    std::map<int64_t, size_t> byId;
    for (const json &image : doc["images"]) {
        if (!image.is_object() || !image.contains("id") || !image["id"].is_number_integer())
            fail("an image without a whole-number id: " + shortText(image));
        if (!image.contains("file_name") || !image["file_name"].is_string())
            fail("image " + image["id"].dump() + " has no file_name");
        const fs::path name = image["file_name"].get<std::string>();
        // A name with a folder part or ".." would reach files the user did not point at.
        if (name.empty() || name.has_parent_path() || name == "." || name == "..")
            fail("image " + image["id"].dump() + "'s file_name " + shortText(image["file_name"]) + " is not a file name");
        CaptionedImage c;
        c.id = image["id"].get<int64_t>();
        c.path = (folder / name).string();
        for (const char *side : {"width", "height"})
            if (image.contains(side) && image[side].is_number_integer())
                (std::string(side) == "width" ? c.width : c.height) = image[side].get<int64_t>();
        if (!byId.emplace(c.id, images.size()).second)
            fail("two images have the id " + std::to_string(c.id));
        images.push_back(std::move(c));
    }
    for (const json &annotation : doc["annotations"]) {
        if (!annotation.is_object() || !annotation.contains("image_id") || !annotation["image_id"].is_number_integer())
            fail("an annotation without a whole-number image_id: " + shortText(annotation));
        const auto image = byId.find(annotation["image_id"].get<int64_t>());
        if (image == byId.end())
            fail("a caption of image " + annotation["image_id"].dump() + ", which the file does not list");
        if (!annotation.contains("caption") || !annotation["caption"].is_string())
            fail("annotation " + shortText(annotation) + " has no caption text");
        images[image->second].captions.push_back(annotation["caption"].get<std::string>());
    }
    return images;
}

} // namespace sculpt
