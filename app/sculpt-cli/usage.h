#pragma once
// What each command takes and does, in one place: `sculpt-cli --help` lists every command,
// `sculpt-cli COMMAND --help` (or -h) shows one, and a command given wrong arguments prints
// its own usage.

#include <ostream>
#include <string>
#include <vector>

namespace sculpt::cli {

// "usage: sculpt-cli COMMAND …" lines for `command` (every form it has).
std::string usageOf(const std::string &command);

// Every command's usage and what it does, and what PATH and MODEL mean.
void printHelp(std::ostream &out);
// One command's usage and what it does; false for a command there is none.
bool printHelp(std::ostream &out, const std::string &command);

// Whether the arguments ask for help (--help or -h anywhere).
bool wantsHelp(const std::vector<std::string> &args);

} // namespace sculpt::cli
