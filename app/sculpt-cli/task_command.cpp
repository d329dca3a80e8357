#include "task_command.h"

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

} // namespace sculpt::cli
