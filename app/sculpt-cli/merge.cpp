// sculpt-cli merge: a Hugging Face PEFT LoRA folder folded into its base model, written as a
// plain Hugging Face folder that loads without PEFT (or Sculpt).

#include "builtin_passes.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "io/export_folder.h"
#include "session/peft_merge.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt::cli {
namespace {

std::string absolute(const std::string &path) { return std::filesystem::absolute(path).lexically_normal().string(); }

} // namespace

int merge(const std::vector<std::string> &args)
{
    Options options("merge", {"--base", "--config", "--tokenizer", "-o"}, {"--json"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1 || !options.has("-o")) {
        std::cerr << usageOf("merge");
        return kBadInput;
    }
    if (options.value("-o").empty()) {
        options.fail("-o needs a folder name");
        return kBadInput;
    }
    const std::string peft = options.positional()[0];
    const std::string output = absolute(options.value("-o"));
    return options.badInputEnds([&] {
        ExportFolder::checkWritable(output);
        const PeftConfig config = readPeftConfig(peft);
        std::string base = options.value("--base");
        if (base.empty()) {
            base = resolvePeftBase(peft);
            if (base.empty()) {
                options.fail(config.baseModelNameOrPath.empty()
                                 ? peft + " names no base model: give it with --base MODEL"
                                 : peft + ": the base model '" + config.baseModelNameOrPath +
                                       "' is not a local folder: give it with --base MODEL");
                return kBadInput;
            }
        }
        registerBuiltinPasses(); // a folder of another kind's adapters is read, then refused as unmergeable
        PeftMergeRequest request{peft, base, options.value("--config"), options.value("--tokenizer"), output};
        const PeftMergeResult result = mergePeftFolder(request);
        const PeftLoad &load = result.load;
        const size_t merged = result.merged;

        if (options.has("--json")) {
            nlohmann::ordered_json out{{"peft_folder", absolute(peft)},     {"base_model", absolute(base)},
                                       {"merged", load.adaptedSites},       {"modules_to_save", load.savedTensors},
                                       {"r", load.config.r},                {"lora_alpha", load.config.loraAlpha},
                                       {"output", output}};
            std::cout << out.dump(2) << "\n";
        } else {
            std::cout << "merged " << merged << " LoRA adapter" << (merged == 1 ? "" : "s") << " (r = " << load.config.r
                      << ", alpha = " << load.config.loraAlpha << ") into " << base << "\n";
            if (!load.savedTensors.empty()) {
                std::cout << "loaded from modules_to_save:";
                for (const std::string &name : load.savedTensors)
                    std::cout << " " << name;
                std::cout << "\n";
            }
            std::cout << "wrote " << output << "\n";
        }
        return kOk;
    });
}

} // namespace sculpt::cli
