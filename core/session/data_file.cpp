#include "session/data_file.h"

#include "analysis/content_hash.h"
#include "io/mapped_file.h"

namespace sculpt {

DataFile describeDataFile(const std::string &role, const std::string &path)
{
    const auto file = MappedFile::open(path);
    return {role, path, int64_t(file->size()), contentHash({file->data(), size_t(file->size())})};
}

} // namespace sculpt
