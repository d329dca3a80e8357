#pragma once
#include <stdexcept>
#include <string>

namespace sculpt {

// Every reader failure is one of these: a single line naming the file and the reason,
// so the CLI can print it as is and the window can show it in a status bar.
class FileError : public std::runtime_error {
public:
    FileError(const std::string &path, const std::string &reason)
        : std::runtime_error(path + ": " + reason), path_(path), reason_(reason) {}
    const std::string &path() const { return path_; }
    const std::string &reason() const { return reason_; }

private:
    std::string path_;
    std::string reason_;
};

} // namespace sculpt
