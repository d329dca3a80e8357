#include "task_command.h"

#include "analysis/content_hash.h"
#include "io/error.h"
#include "io/formats.h"

#include <cstdlib>
#include <iostream>

namespace sculpt::cli {

std::string taskDataRoot(const Options &options)
{
    const char *shared = std::getenv("SCULPT_SHARED");
    return options.value("--data", shared ? shared : "../shared");
}

std::unique_ptr<Checkpoint> openModelArgument(const Options &options)
{
    try {
        return openCheckpoint(options.positional().at(0));
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return nullptr;
    }
}

std::optional<Workspace> openRunWorkspace(const Options &options, const Checkpoint &checkpoint)
{
    const std::string model = options.positional().at(0);
    try {
        Workspace workspace = Workspace::open(options.value("--workspace", Workspace::defaultPath(model)),
                                              {model, modelFingerprint(checkpoint)});
        workspace.checkWritable();
        return workspace;
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return std::nullopt;
    }
}

bool keepRun(Workspace &workspace, AdaptationRecord run)
{
    try {
        workspace.putAdaptation(std::move(run));
        workspace.save();
        return true;
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return false;
    }
}

} // namespace sculpt::cli
