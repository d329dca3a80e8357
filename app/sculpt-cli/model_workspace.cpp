#include "model_workspace.h"

#include "analysis/content_hash.h"

namespace sculpt::cli {

Workspace openModelWorkspace(const Options &options, const Checkpoint &checkpoint)
{
    const std::string model = options.positional().at(0);
    Workspace workspace = Workspace::open(options.value("--workspace", Workspace::defaultPath(model)),
                                          {model, modelFingerprint(checkpoint)});
    workspace.checkWritable();
    return workspace;
}

} // namespace sculpt::cli
