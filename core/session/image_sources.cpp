#include "session/image_sources.h"

#include "data/vision_language_images.h"
#include "session/data_file.h"

#include <filesystem>

namespace sculpt {

std::vector<DataFile> describeImageSources(const std::vector<std::string> &sources,
                                           const std::vector<VisionLanguageImage> &images)
{
    namespace fs = std::filesystem;
    std::vector<DataFile> files;
    for (const std::string &source : sources) {
        switch (imageSourceKind(source)) {
        case ImageSourceKind::Folder:
            for (const VisionLanguageImage &image : images)
                if (std::error_code error; fs::equivalent(fs::path(image.file).parent_path(), source, error))
                    files.push_back(describeDataFile("images", image.file));
            break;
        case ImageSourceKind::CocoCaptions:
            files.push_back(describeDataFile("captions", source));
            break;
        case ImageSourceKind::LlavaQuestions:
            files.push_back(describeDataFile("questions", source));
            break;
        case ImageSourceKind::ImageFile:
        case ImageSourceKind::Idx:
            files.push_back(describeDataFile("images", source));
            break;
        }
    }
    return files;
}

} // namespace sculpt
