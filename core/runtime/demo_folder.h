#pragma once
// How the zoo saves a demo model it trained: a Hugging Face folder written file by file, each
// atomically, so that the same command run again writes the same bytes over it (an export
// folder's listing would refuse a folder git checked out). Torch inside: for runtime .cpp files.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sculpt {

class Model;

// model.safetensors (dense float32), config.json, the model's folderFiles() and `files`
// (name → bytes) into `folder`, which is created.
void writeDemoFolder(Model &model, const std::string &folder,
                     const std::vector<std::pair<std::string, std::string>> &files = {});

} // namespace sculpt
