#pragma once
// The few HDF5 operations the workspace is written with: owned identifiers, groups and
// links, single-value attributes, arrays. Internal to core/workspace; callers hold hdf5Lock().

#include <hdf5.h>

#include <algorithm>
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
void writeUnsigned(hid_t object, const std::string &name, uint64_t value); // seeds use all 64 bits
void writeString(hid_t object, const std::string &name, const std::string &value); // variable-length UTF-8
void writeAttribute(hid_t object, const std::string &name, hid_t fileType, hid_t memoryType, const void *value);
double readDouble(hid_t object, const std::string &name);
int64_t readInt(hid_t object, const std::string &name);
uint64_t readUnsigned(hid_t object, const std::string &name);
bool isStringAttribute(hid_t object, const std::string &name);
// Variable-length strings as Sculpt writes them, and fixed-length ones (other writers).
std::string readString(hid_t object, const std::string &name);

// ---- arrays: one dataset each, 1-D or 2-D ----------------------------------------------

// `values` as the dataset `group`/`name`, of shape `dims` (its length when empty), which the
// caller makes hold exactly values.size() numbers.
template <typename T>
void writeArray(hid_t group, const std::string &name, hid_t fileType, hid_t memoryType, const std::vector<T> &values,
                std::vector<hsize_t> dims = {})
{
    if (dims.empty())
        dims = {hsize_t(values.size())};
    const std::string what = childPath(group, name);
    Hid space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose, "cannot write " + what);
    Hid data(H5Dcreate2(group, name.c_str(), fileType, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
             "cannot create " + what);
    if (!values.empty()) // HDF5 wants a buffer even for nothing
        check(H5Dwrite(data, memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "cannot write " + what);
}

// Throws unless the dataset `data` (`what`) stores `count` values of its type: a damaged
// shape must not make a reader allocate what the file cannot hold.
void checkStored(hid_t data, hsize_t count, const std::string &what);

// The dataset's values, checked to have `rank` dimensions; its shape goes to `dims`.
template <typename T>
std::vector<T> readArray(hid_t group, const std::string &name, hid_t memoryType, int rank = 1,
                         std::vector<hsize_t> *dims = nullptr)
{
    const std::string what = childPath(group, name);
    Hid data(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + what);
    Hid space(H5Dget_space(data), H5Sclose, "cannot read " + what);
    std::vector<hsize_t> shape(size_t(std::max(rank, 1)));
    if (H5Sget_simple_extent_ndims(space) != rank || H5Sget_simple_extent_dims(space, shape.data(), nullptr) != rank)
        throw Failure(what + " does not have " + std::to_string(rank) + " dimension(s)");
    hsize_t count = 1;
    for (const hsize_t d : shape) {
        if (d != 0 && count > hsize_t(-1) / d)
            throw Failure(what + " claims more values than a file can hold");
        count *= d;
    }
    checkStored(data, count, what);
    std::vector<T> values(count);
    if (count > 0)
        check(H5Dread(data, memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "cannot read " + what);
    if (dims)
        *dims = shape;
    return values;
}

} // namespace sculpt::hdf5
