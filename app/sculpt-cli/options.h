#pragma once
// Command-line options of one sculpt-cli command: "--flag VALUE" pairs (a flag may repeat),
// bare switches, and positional arguments. Errors are one line on stderr naming the command.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sculpt::cli {

class Options {
public:
    Options(std::string command, std::set<std::string> valueFlags, std::set<std::string> switches);

    // False, after printing why, for an unknown option or a flag without its value.
    bool parse(const std::vector<std::string> &args);

    bool has(const std::string &flag) const { return values_.count(flag) || switches_.count(flag); }
    std::string value(const std::string &flag, const std::string &fallback = {}) const;
    std::vector<std::string> values(const std::string &flag) const; // every occurrence, in order
    const std::vector<std::string> &positional() const { return positional_; }

    // The flag's value as a number in [low, high], `fallback` when absent; nothing, after
    // printing why, when it is not one.
    std::optional<double> number(const std::string &flag, double fallback, double low, double high) const;
    std::optional<long> count(const std::string &flag, long fallback, long low) const;

    void fail(const std::string &why) const; // prints "sculpt-cli <command>: <why>"

    // `work`'s status; what bad input throws there ends in one line and status 2: a FileError
    // (which names its file) as "sculpt-cli: <file>: …", a std::invalid_argument through fail().
    int badInputEnds(const std::function<int()> &work) const;

private:
    std::string command_;
    std::set<std::string> valueFlags_, switchFlags_;
    std::multimap<std::string, std::string> values_;
    std::set<std::string> switches_;
    std::vector<std::string> positional_;
};

} // namespace sculpt::cli
