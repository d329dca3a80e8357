#include "workspace/part_merge.h"

#include <filesystem>

namespace sculpt {

PartsToMerge openPartsToMerge(const std::string &workspace, const std::vector<std::string> &parts)
{
    PartsToMerge opened;
    for (const std::string &path : parts)
        opened.parts.push_back(Workspace::open(path, Workspace::owner(path)));
    // A new workspace belongs to the first part's model; merge() refuses parts of another.
    std::error_code unknown; // then open() says what is wrong with the path
    const bool exists = std::filesystem::exists(workspace, unknown);
    opened.target = Workspace::open(workspace, exists ? Workspace::owner(workspace) : opened.parts.at(0).model());
    opened.target->checkWritable();
    return opened;
}

std::vector<Workspace::Merged> mergeParts(PartsToMerge &opened)
{
    std::vector<const Workspace *> offered;
    for (const Workspace &part : opened.parts)
        offered.push_back(&part);
    return opened.target->merge(offered);
}

} // namespace sculpt
