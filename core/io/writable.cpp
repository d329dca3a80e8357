#include "io/writable.h"

#include "io/error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace sculpt {

void checkCanCreate(const std::string &path)
{
    namespace fs = std::filesystem;
    if (path.empty())
        throw FileError("\"\"", "an empty name names no file");
    fs::path folder = fs::absolute(fs::path(path)).lexically_normal().parent_path();
    std::error_code error;
    while (!fs::exists(folder, error) && folder.has_relative_path())
        folder = folder.parent_path();
    if (!fs::is_directory(folder, error))
        throw FileError(path, folder.string() + " is not a folder");
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
        throw FileError(path, "cannot write in " + folder.string() + ": " + std::strerror(errno));
}

} // namespace sculpt
