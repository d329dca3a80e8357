#include "pass_table.h"

#include <iostream>
#include <sstream>

namespace bench {
namespace {

std::vector<std::string> split(const std::string &list)
{
    std::vector<std::string> parts;
    std::stringstream in(list);
    for (std::string part; std::getline(in, part, ',');)
        parts.push_back(part);
    return parts;
}

} // namespace

std::optional<PassTable> parsePassTable(int argc, char **argv, const std::string &program, const std::string &countFlag,
                                        long calibration)
{
    PassTable t;
    t.calibration = calibration;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == countFlag)
            t.calibration = std::stol(value);
        else if (flag == "--ratios")
            t.ratios = split(value);
        else if (flag == "--methods")
            t.methods = split(value);
        else if (flag == "--threads")
            t.threads = std::stoi(value);
        else {
            std::cerr << program << ": unknown option " << flag << "\n";
            return std::nullopt;
        }
    }
    return t;
}

} // namespace bench
