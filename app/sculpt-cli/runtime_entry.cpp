// The runtime module's one exported function: dispatches to the commands that run models.

#include "commands.h"
#include "runtime_module.h"

#include <iostream>
#include <string_view>

extern "C" __attribute__((visibility("default"))) int sculpt_runtime_command(const char *command, int argc,
                                                                             const char *const *argv)
{
    const std::vector<std::string> args(argv, argv + argc);
    const std::string_view name(command);
    // Nothing may escape into sculpt-cli's frames, which know nothing of this module.
    try {
        if (name == "generate")
            return sculpt::cli::generate(args);
        if (name == "eval")
            return sculpt::cli::eval(args);
        if (name == "zoo")
            return sculpt::cli::zoo(args);
        if (name == "compress")
            return sculpt::cli::compress(args);
        if (name == "heads")
            return sculpt::cli::heads(args);
        if (name == "heat")
            return sculpt::cli::heat(args);
        if (name == "adapt")
            return sculpt::cli::adapt(args);
        if (name == "pear")
            return sculpt::cli::pear(args);
        if (name == "merge")
            return sculpt::cli::merge(args);
    } catch (const std::exception &e) {
        std::cerr << "sculpt-cli " << name << ": " << e.what() << "\n";
        return sculpt::cli::kFailed;
    }
    std::cerr << "sculpt-cli: the runtime module has no command '" << name << "'\n";
    return sculpt::cli::kBadInput;
}
