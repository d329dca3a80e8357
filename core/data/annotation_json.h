#pragma once
// JSON files that name images beside them — COCO captions, LLaVA's conversations — read the
// same way. Torch-free.

#include <nlohmann/json.hpp>

#include <string>

namespace sculpt {

// The document of `path` (`what` names its kind in errors): at most 1 GiB and 20 million
// values (captions_train2017.json is about 7 million). Throws FileError in one line.
nlohmann::json readAnnotationJson(const std::string &path, const std::string &what);

// Where such a file's image names resolve: an `images` folder beside it when there is one (as
// COCO lays them out), else its own folder.
std::string imageFolderBeside(const std::string &path);

} // namespace sculpt
