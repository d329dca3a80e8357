// sculpt-cli: the headless side of Sculpt. Each command is a function in its own file.

#include "commands.h"
#include "usage.h"

#include <iostream>

int main(int argc, char **argv)
{
    if (argc < 2) {
        sculpt::cli::printHelp(std::cerr);
        return sculpt::cli::kBadInput;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "-h" || command == "--help" || command == "help") {
        sculpt::cli::printHelp(std::cout);
        return sculpt::cli::kOk;
    }
    if (command == "--version") { // help2man reads it for the man page
        std::cout << "sculpt-cli " SCULPT_VERSION "\n";
        return sculpt::cli::kOk;
    }
    if (sculpt::cli::wantsHelp(args) && sculpt::cli::printHelp(std::cout, command))
        return sculpt::cli::kOk;
    if (command == "inspect")
        return sculpt::cli::inspect(args);
    if (command == "spectra")
        return sculpt::cli::spectra(args);
    if (command == "diff")
        return sculpt::cli::diff(args);
    if (command == "workspace")
        return sculpt::cli::workspace(args);
    if (command == "layouts")
        return sculpt::cli::layouts(args);
    if (command == "conditioning")
        return sculpt::cli::conditioning(args);
    if (command == "submit")
        return sculpt::cli::submit(args);
    if (command == "jobs")
        return sculpt::cli::jobs(args);
    if (command == "cancel")
        return sculpt::cli::cancel(args);
    if (command == "resubmit")
        return sculpt::cli::resubmit(args);
    if (command == "generate" || command == "eval" || command == "zoo" || command == "compress" ||
        command == "heads" || command == "heat" ||
        command == "adapt" || command == "pear" || command == "merge")
        return sculpt::cli::runtimeCommand(command, args);
    std::cerr << "sculpt-cli: unknown command '" << command << "' (try sculpt-cli --help)\n";
    return sculpt::cli::kBadInput;
}
