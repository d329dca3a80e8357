#include "workspace/numbered_records.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace sculpt {

bool isRecordId(const std::string &name)
{
    return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

long lastRecordNumber(hid_t group)
{
    long last = 0;
    for (const std::string &name : hdf5::childNames(group))
        if (isRecordId(name))
            last = std::max(last, std::strtol(name.c_str(), nullptr, 10));
    return last;
}

std::string recordId(long number)
{
    char text[24];
    std::snprintf(text, sizeof text, "%06ld", number);
    return text;
}

} // namespace sculpt
