#pragma once
// A folder Sculpt writes as a whole — an exported model. It is filled under a temporary name
// and appears under its own name complete or not at all. Sculpt lists what it wrote in
// ".sculpt-export.json" inside it (each file's name, size and modification time), so a later
// export replaces the folder only when everything there is still what Sculpt wrote: a file
// the user added or changed is never removed.

#include <string>

namespace sculpt {

class ExportFolder {
public:
    // Throws FileError, touching nothing, when `folder` cannot become an export: an empty
    // name, a file, a folder Sculpt did not write or one holding files it did not write (named),
    // or a place that cannot be written (a read-only file system, no permission). Cheap: for
    // checking arguments before any work.
    static void checkWritable(const std::string &folder);

    // checkWritable, then recovers what killed exports left (leftovers.h) and starts an empty
    // temporary folder beside `folder`.
    explicit ExportFolder(const std::string &folder);
    ~ExportFolder(); // removes the temporary folder unless commit() succeeded
    ExportFolder(const ExportFolder &) = delete;
    ExportFolder &operator=(const ExportFolder &) = delete;

    const std::string &path() const { return target_; }
    // Where to write the file `name` (no folders) before commit().
    std::string file(const std::string &name) const;

    // Checks `folder` again (the user may have added a file meanwhile), flushes every file,
    // lists them, and puts the folder in place — renaming a replaced export aside first, so a
    // kill between the two renames leaves it for recoverLeftovers to put back.
    void commit();

private:
    std::string target_;
    std::string temporary_;
    bool committed_ = false;
};

} // namespace sculpt
