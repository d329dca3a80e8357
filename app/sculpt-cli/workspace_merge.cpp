// `sculpt-cli workspace merge`: joins the parts that `spectra --shard` and cluster jobs wrote
// into a model's workspace. The merging is Workspace::merge's; this reads the files and reports.

#include "commands.h"
#include "usage.h"

#include "io/error.h"
#include "workspace/part_merge.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {
namespace {

using json = nlohmann::ordered_json;

struct Arguments {
    std::string workspace;
    std::vector<std::string> parts;
    bool json = false;
};

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    if (args.empty() || args[0] != "merge") {
        std::cerr << usageOf("workspace");
        return std::nullopt;
    }
    Arguments a;
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--json")
            a.json = true;
        else if (args[i].starts_with("-")) {
            std::cerr << "sculpt-cli workspace merge: unknown option '" << args[i] << "'\n";
            return std::nullopt;
        } else if (a.workspace.empty())
            a.workspace = args[i];
        else
            a.parts.push_back(args[i]);
    }
    if (a.parts.empty()) {
        std::cerr << usageOf("workspace");
        return std::nullopt;
    }
    return a;
}

void printJson(const Workspace &workspace, const std::vector<Workspace> &parts,
               const std::vector<Workspace::Merged> &merged)
{
    json out{{"workspace", workspace.path()}};
    json list = json::array();
    Workspace::Merged total;
    for (size_t p = 0; p < parts.size(); ++p) {
        list.push_back({{"path", parts[p].path()},
                        {"added", merged[p].added},
                        {"skipped", merged[p].skipped},
                        {"replaced", merged[p].replaced},
                        {"records_added", merged[p].recordsAdded},
                        {"records_skipped", merged[p].recordsSkipped}});
        total += merged[p];
    }
    out["parts"] = std::move(list);
    out["added"] = total.added;
    out["skipped"] = total.skipped;
    out["replaced"] = total.replaced;
    out["records_added"] = total.recordsAdded;
    out["records_skipped"] = total.recordsSkipped;
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

void printText(const Workspace &workspace, const std::vector<Workspace> &parts,
               const std::vector<Workspace::Merged> &merged)
{
    std::cout << "merged into " << workspace.path() << ":\n";
    for (size_t p = 0; p < parts.size(); ++p) {
        std::cout << "  " << parts[p].path() << ": " << merged[p].added << " spectra added, " << merged[p].skipped
                  << " skipped (already there)";
        if (merged[p].replaced > 0)
            std::cout << ", replacing those of " << merged[p].replaced << " tensors held for other content";
        if (merged[p].recordsAdded + merged[p].recordsSkipped > 0)
            std::cout << "; " << merged[p].recordsAdded << " records (evaluations, passes, runs) added, "
                      << merged[p].recordsSkipped << " there already";
        std::cout << "\n";
    }
}

} // namespace

int workspace(const std::vector<std::string> &rawArgs)
{
    const auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    PartsToMerge opened;
    try {
        opened = openPartsToMerge(args->workspace, args->parts);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    }
    std::vector<Workspace::Merged> merged;
    try {
        merged = mergeParts(opened);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        // A part of another model is the input's fault; failing to save the workspace is not.
        const bool partRefused = std::any_of(opened.parts.begin(), opened.parts.end(),
                                             [&](const Workspace &part) { return part.path() == e.path(); });
        return partRefused ? kBadInput : kFailed;
    }
    if (args->json)
        printJson(*opened.target, opened.parts, merged);
    else
        printText(*opened.target, opened.parts, merged);
    return kOk;
}

} // namespace sculpt::cli
