#pragma once
// The few HDF5 operations the workspace is written with: owned identifiers, groups and
// links, single-value attributes. Internal to core/workspace; callers hold hdf5Lock().

#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sculpt::hdf5 {

// A failure below the workspace's public functions, without the file name: open() and
// save() turn it into the FileError that names the workspace.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws a Failure saying `what`, and why from HDF5's error stack.
[[noreturn]] void fail(const std::string &what);
void check(herr_t status, const std::string &what);

// Owns one HDF5 identifier (file, group, dataset, attribute, dataspace, type or property
// list) and closes it with the matching H5?close.
class Hid {
public:
    using Closer = herr_t (*)(hid_t);

    // `what` names the call that produced `id`, for the error when it failed.
    Hid(hid_t id, Closer closer, const std::string &what) : id_(id), closer_(closer)
    {
        if (id_ < 0)
            fail(what);
    }
    Hid(Hid &&other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
    Hid(const Hid &) = delete;
    Hid &operator=(const Hid &) = delete;
    Hid &operator=(Hid &&) = delete;
    ~Hid()
    {
        if (id_ >= 0)
            closer_(id_);
    }

    operator hid_t() const { return id_; }

    // For files, whose close is where HDF5 writes its caches out: that failure must be seen.
    void close(const std::string &what) { check(closer_(std::exchange(id_, H5I_INVALID_HID)), what); }

private:
    hid_t id_;
    Closer closer_;
};

// The object's path inside the file, for messages.
std::string where(hid_t object);
std::string childPath(hid_t parent, const std::string &name);

// HDF5 splits link names at '/' and refuses "." (and Sculpt keeps ".." out of the way too),
// so those are percent-escaped, and '%' with them to keep the mapping one to one.
std::string escapeName(const std::string &name);

bool linkExists(hid_t parent, const std::string &name);
Hid openGroup(hid_t parent, const std::string &name);
Hid createGroup(hid_t parent, const std::string &name);
Hid openOrCreateGroup(hid_t parent, const std::string &name);
void removeLink(hid_t parent, const std::string &name);
std::vector<std::string> childNames(hid_t group); // in name order

// Attributes hold one value each; reading checks that, so it cannot overrun.
bool hasAttribute(hid_t object, const std::string &name);
std::vector<std::string> attributeNames(hid_t object); // in name order
void writeDouble(hid_t object, const std::string &name, double value);
void writeInt(hid_t object, const std::string &name, int64_t value);
void writeString(hid_t object, const std::string &name, const std::string &value); // variable-length UTF-8
void writeAttribute(hid_t object, const std::string &name, hid_t fileType, hid_t memoryType, const void *value);
double readDouble(hid_t object, const std::string &name);
int64_t readInt(hid_t object, const std::string &name);
bool isStringAttribute(hid_t object, const std::string &name);
// Variable-length strings as Sculpt writes them, and fixed-length ones (other writers).
std::string readString(hid_t object, const std::string &name);

} // namespace sculpt::hdf5
