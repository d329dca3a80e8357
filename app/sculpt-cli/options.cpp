#include "options.h"

#include "commands.h"

#include "io/error.h"

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace sculpt::cli {

Options::Options(std::string command, std::set<std::string> valueFlags, std::set<std::string> switches)
    : command_(std::move(command)), valueFlags_(std::move(valueFlags)), switchFlags_(std::move(switches))
{
}

void Options::fail(const std::string &why) const { std::cerr << "sculpt-cli " << command_ << ": " << why << "\n"; }

int Options::badInputEnds(const std::function<int()> &work) const
{
    try {
        return work();
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
    } catch (const std::invalid_argument &e) {
        fail(e.what());
    }
    return kBadInput;
}

bool Options::parse(const std::vector<std::string> &args)
{
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (switchFlags_.count(arg)) {
            switches_.insert(arg);
        } else if (valueFlags_.count(arg)) {
            if (i + 1 >= args.size()) {
                fail(arg + " needs a value");
                return false;
            }
            values_.emplace(arg, args[++i]);
        } else if (arg.size() > 1 && arg[0] == '-') {
            fail("unknown option '" + arg + "'");
            return false;
        } else {
            positional_.push_back(arg);
        }
    }
    return true;
}

std::string Options::value(const std::string &flag, const std::string &fallback) const
{
    const auto range = values_.equal_range(flag);
    return range.first == range.second ? fallback : std::prev(range.second)->second;
}

std::vector<std::string> Options::values(const std::string &flag) const
{
    std::vector<std::string> all;
    for (auto [it, end] = values_.equal_range(flag); it != end; ++it)
        all.push_back(it->second);
    return all;
}

std::optional<double> Options::number(const std::string &flag, double fallback, double low, double high) const
{
    if (!values_.count(flag))
        return fallback;
    const std::string text = value(flag);
    char *end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v) || v < low || v > high) {
        const auto shown = [](double x) {
            std::ostringstream out;
            out << x;
            return out.str();
        };
        fail(flag + " takes a number " + (std::isinf(high) ? "≥ " + shown(low) : "in [" + shown(low) + ", " + shown(high) + "]") +
             ", not '" + text + "'");
        return std::nullopt;
    }
    return v;
}

std::optional<long> Options::count(const std::string &flag, long fallback, long low) const
{
    if (!values_.count(flag))
        return fallback;
    const std::string text = value(flag);
    char *end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < low) {
        fail(flag + " takes a whole number ≥ " + std::to_string(low) + ", not '" + text + "'");
        return std::nullopt;
    }
    return v;
}

} // namespace sculpt::cli
