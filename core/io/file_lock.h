#pragma once
#include <string>

namespace sculpt {

// An exclusive lock between processes (and between threads) on "<path>.lock", held for the
// lock's lifetime, for files that several writers update by copy-edit-rename: the rename
// replaces the file's inode, so the lock lives on a file of its own, which stays. Waits for
// the holder; a holder that dies releases it. Throws FileError when the lock file cannot be
// made or the file system cannot lock.
class FileLock {
public:
    explicit FileLock(const std::string &path);
    ~FileLock();
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;

private:
    int fd_ = -1;
};

} // namespace sculpt
