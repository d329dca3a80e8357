#include "session/data_file.h"

#include "analysis/content_hash.h"
#include "io/mapped_file.h"

#include <ctime>

namespace sculpt {

DataFile describeDataFile(const std::string &role, const std::string &path)
{
    const auto file = MappedFile::open(path);
    return {role, path, int64_t(file->size()), contentHash({file->data(), size_t(file->size())})};
}

std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace sculpt
