#include "data/vision_language_images.h"

#include "data/coco_captions.h"
#include "data/image_questions.h"
#include "io/error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

bool isImageName(const fs::path &file)
{
    std::string extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    return extension == ".png" || extension == ".jpg" || extension == ".jpeg";
}

std::vector<VisionLanguageImage> imagesOf(const std::string &source)
{
    std::vector<VisionLanguageImage> images;
    switch (imageSourceKind(source)) {
    case ImageSourceKind::ImageFile:
        images.push_back({source, -1, {}, {}, false});
        break;
    case ImageSourceKind::Folder: {
        std::vector<std::string> files;
        for (const fs::directory_entry &entry : fs::directory_iterator(source))
            if (entry.is_regular_file() && isImageName(entry.path()))
                files.push_back(entry.path().string());
        std::sort(files.begin(), files.end());
        for (const std::string &file : files)
            images.push_back({file, -1, {}, {}, false});
        break;
    }
    case ImageSourceKind::Idx: {
        const int64_t count = readIdxImages(source).count;
        for (int64_t i = 0; i < count; ++i)
            images.push_back({source, i, {}, {}, false});
        break;
    }
    case ImageSourceKind::CocoCaptions:
        for (CaptionedImage &image : readCocoCaptions(source))
            images.push_back({image.path, -1, {}, std::move(image.captions), false});
        break;
    case ImageSourceKind::LlavaQuestions:
        for (ImageQuestion &q : readImageQuestions(source))
            images.push_back({q.image, -1, std::move(q.question), {std::move(q.answer)}, true});
        break;
    }
    if (images.empty())
        throw FileError(source, "holds no image");
    return images;
}

} // namespace

ImageSourceKind imageSourceKind(const std::string &path)
{
    if (fs::is_directory(path))
        return ImageSourceKind::Folder;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FileError(path, "cannot be read");
    unsigned char head[4] = {};
    in.read(reinterpret_cast<char *>(head), 4);
    const std::streamsize got = in.gcount();
    // gzip (an IDX set as published), or IDX's own magic for unsigned-byte images.
    if ((got >= 2 && head[0] == 0x1f && head[1] == 0x8b) ||
        (got == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && head[3] == 0x03))
        return ImageSourceKind::Idx;
    // JSON: a list is LLaVA's conversations, an object COCO's captions.
    in.seekg(0);
    for (char c; in.get(c);) {
        if (std::isspace(static_cast<unsigned char>(c)))
            continue;
        if (c == '[')
            return ImageSourceKind::LlavaQuestions;
        if (c == '{')
            return ImageSourceKind::CocoCaptions;
        break;
    }
    return ImageSourceKind::ImageFile;
}

std::vector<VisionLanguageImage> readVisionLanguageImages(const std::vector<std::string> &sources, long limit)
{
    std::vector<VisionLanguageImage> images;
    for (const std::string &source : sources) {
        if (limit >= 1 && images.size() >= size_t(limit))
            break;
        std::vector<VisionLanguageImage> more = imagesOf(source);
        std::move(more.begin(), more.end(), std::back_inserter(images));
    }
    if (limit >= 1 && images.size() > size_t(limit))
        images.resize(size_t(limit));
    for (const VisionLanguageImage &image : images)
        if (std::error_code error; image.index < 0 && !fs::is_regular_file(image.file, error))
            throw FileError(image.file, "is not there (an image to ask about)");
    return images;
}

RgbImage idxRgbImage(const IdxImages &set, int64_t index)
{
    RgbImage image{set.cols, set.rows, {}};
    image.pixels.reserve(size_t(set.rows * set.cols * 3));
    for (const uint8_t grey : set.image(index))
        image.pixels.insert(image.pixels.end(), 3, grey);
    return image;
}

} // namespace sculpt
