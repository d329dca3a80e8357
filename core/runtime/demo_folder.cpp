#include "runtime/demo_folder.h"

#include "io/atomic_file.h"
#include "runtime/model.h"
#include "tensor/torch_bridge.h"

#include <filesystem>
#include <span>

namespace sculpt {

void writeDemoFolder(Model &model, const std::string &folder, const std::vector<std::pair<std::string, std::string>> &files)
{
    std::filesystem::create_directories(folder);
    writeFloatSafetensors(folder + "/model.safetensors", model.checkpointTensors(/*factorized=*/false), {{"format", "pt"}});
    std::vector<std::pair<std::string, std::string>> all{{"config.json", model.hfConfigJson() + "\n"}};
    for (auto &file : model.folderFiles())
        all.push_back(std::move(file));
    all.insert(all.end(), files.begin(), files.end());
    for (const auto &[name, bytes] : all) {
        AtomicFile file(folder + "/" + name);
        file.write(std::as_bytes(std::span(bytes)));
        file.commit();
    }
}

} // namespace sculpt
