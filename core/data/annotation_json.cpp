#include "data/annotation_json.h"

#include "io/error.h"
#include "io/json_text.h"
#include "io/mapped_file.h"

#include <filesystem>

namespace sculpt {

nlohmann::json readAnnotationJson(const std::string &path, const std::string &what)
{
    constexpr JsonLimits kLimits{20'000'000, 8};
    constexpr uint64_t kMaxBytes = 1ull << 30;
    const auto file = MappedFile::open(path);
    if (file->size() > kMaxBytes)
        throw FileError(path, "larger than 1 GiB: not a " + what + " file Sculpt reads");
    return parseJson(std::string_view(reinterpret_cast<const char *>(file->data()), file->size()), path, what, kLimits);
}

std::string imageFolderBeside(const std::string &path)
{
    const std::filesystem::path beside = std::filesystem::path(path).parent_path();
    std::error_code error;
    return (std::filesystem::is_directory(beside / "images", error) ? beside / "images" : beside).string();
}

} // namespace sculpt
