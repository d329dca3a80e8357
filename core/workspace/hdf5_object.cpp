#include "workspace/hdf5_object.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace sculpt::hdf5 {

namespace {

// The innermost message on HDF5's error stack: the outer ones only say which API call
// failed, the innermost says why ("truncated file", "can't locate attribute").
std::string hdf5Reason()
{
    std::string reason;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned n, const H5E_error2_t *error, void *out) -> herr_t {
            if (n == 0 && error->desc)
                *static_cast<std::string *>(out) = error->desc;
            return 0;
        },
        &reason);
    if (reason.empty())
        return "HDF5 error";
    std::replace(reason.begin(), reason.end(), '\n', ' '); // FileError is one line
    return reason;
}

} // namespace

[[noreturn]] void fail(const std::string &what) { throw Failure(what + ": " + hdf5Reason()); }

void check(herr_t status, const std::string &what)
{
    if (status < 0)
        fail(what);
}

std::string where(hid_t object)
{
    const ssize_t size = H5Iget_name(object, nullptr, 0);
    if (size <= 0)
        return "?";
    std::vector<char> name(static_cast<size_t>(size) + 1);
    H5Iget_name(object, name.data(), name.size());
    return name.data();
}

std::string childPath(hid_t parent, const std::string &name)
{
    const std::string base = where(parent);
    return base == "/" ? "/" + name : base + "/" + name;
}

std::string escapeName(const std::string &name)
{
    const bool onlyDots = name.find_first_not_of('.') == std::string::npos;
    std::string escaped;
    for (const char c : name) {
        if (c == '/' || c == '%' || (onlyDots && c == '.')) {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
            escaped += hex;
        } else {
            escaped += c;
        }
    }
    return escaped;
}

// ---- groups and links ----------------------------------------------------------------

bool linkExists(hid_t parent, const std::string &name)
{
    const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
    check(exists, "cannot look up " + childPath(parent, name));
    return exists > 0;
}

Hid openGroup(hid_t parent, const std::string &name)
{
    return Hid(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose, "cannot open " + childPath(parent, name));
}

Hid createGroup(hid_t parent, const std::string &name)
{
    return Hid(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
               "cannot create " + childPath(parent, name));
}

Hid openOrCreateGroup(hid_t parent, const std::string &name)
{
    return linkExists(parent, name) ? openGroup(parent, name) : createGroup(parent, name);
}

void removeLink(hid_t parent, const std::string &name)
{
    if (linkExists(parent, name))
        check(H5Ldelete(parent, name.c_str(), H5P_DEFAULT), "cannot delete " + childPath(parent, name));
}

std::vector<std::string> childNames(hid_t group)
{
    H5G_info_t info;
    check(H5Gget_info(group, &info), "cannot list " + where(group));
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t size =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (size < 0)
            fail("cannot list " + where(group));
        std::vector<char> name(static_cast<size_t>(size) + 1);
        if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                               H5P_DEFAULT) < 0)
            fail("cannot list " + where(group));
        names.emplace_back(name.data(), static_cast<size_t>(size));
    }
    return names;
}

// ---- arrays --------------------------------------------------------------------------

void checkStored(hid_t data, hsize_t count, const std::string &what)
{
    if (count == 0)
        return;
    Hid type(H5Dget_type(data), H5Tclose, "cannot read " + what);
    const size_t size = H5Tget_size(type);
    Hid file(H5Iget_file_id(data), H5Fclose, "cannot read " + what);
    hsize_t fileSize = 0;
    check(H5Fget_filesize(file, &fileSize), "cannot read " + what);
    // Sculpt writes every value it declares (no fill values, no filters): what is stored is
    // the whole array, and it lies within the file.
    const hsize_t stored = H5Dget_storage_size(data);
    if (size == 0 || count > stored / size || stored > fileSize)
        throw Failure(what + " claims " + std::to_string(count) + " values but stores " + std::to_string(stored) +
                      " bytes");
}

// ---- attributes: one value each ------------------------------------------------------

bool hasAttribute(hid_t object, const std::string &name)
{
    const htri_t exists = H5Aexists(object, name.c_str());
    check(exists, "cannot look up attribute " + name + " of " + where(object));
    return exists > 0;
}

namespace {

// Checks that the attribute holds exactly one value, so reading it cannot overrun.
Hid openAttribute(hid_t object, const std::string &name)
{
    if (!hasAttribute(object, name))
        throw Failure(where(object) + " has no attribute " + name);
    const std::string what = "attribute " + name + " of " + where(object);
    Hid attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "cannot open " + what);
    Hid space(H5Aget_space(attribute), H5Sclose, "cannot read " + what);
    if (H5Sget_simple_extent_npoints(space) != 1)
        throw Failure(what + " is not a single value");
    return attribute;
}

} // namespace

std::vector<std::string> attributeNames(hid_t object)
{
    std::vector<std::string> names;
    hsize_t next = 0;
    check(H5Aiterate2(
              object, H5_INDEX_NAME, H5_ITER_INC, &next,
              [](hid_t, const char *name, const H5A_info_t *, void *out) -> herr_t {
                  static_cast<std::vector<std::string> *>(out)->emplace_back(name);
                  return 0;
              },
              &names),
          "cannot list the attributes of " + where(object));
    return names;
}

void writeAttribute(hid_t object, const std::string &name, hid_t fileType, hid_t memoryType, const void *value)
{
    if (hasAttribute(object, name)) // H5Acreate refuses to replace
        check(H5Adelete(object, name.c_str()), "cannot replace attribute " + name + " of " + where(object));
    const std::string what = "attribute " + name + " of " + where(object);
    Hid space(H5Screate(H5S_SCALAR), H5Sclose, "cannot write " + what);
    Hid attribute(H5Acreate2(object, name.c_str(), fileType, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                  "cannot create " + what);
    check(H5Awrite(attribute, memoryType, value), "cannot write " + what);
}

void writeDouble(hid_t object, const std::string &name, double value)
{
    writeAttribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void writeInt(hid_t object, const std::string &name, int64_t value)
{
    writeAttribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void writeUnsigned(hid_t object, const std::string &name, uint64_t value)
{
    writeAttribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void writeString(hid_t object, const std::string &name, const std::string &value)
{
    Hid type(H5Tcopy(H5T_C_S1), H5Tclose, "cannot make a string type");
    check(H5Tset_size(type, H5T_VARIABLE), "cannot make a string type");
    check(H5Tset_cset(type, H5T_CSET_UTF8), "cannot make a string type");
    const char *text = value.c_str();
    writeAttribute(object, name, type, type, &text);
}

double readDouble(hid_t object, const std::string &name)
{
    Hid attribute = openAttribute(object, name);
    double value = 0;
    check(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value), "cannot read attribute " + name + " of " + where(object));
    return value;
}

int64_t readInt(hid_t object, const std::string &name)
{
    Hid attribute = openAttribute(object, name);
    int64_t value = 0;
    check(H5Aread(attribute, H5T_NATIVE_INT64, &value), "cannot read attribute " + name + " of " + where(object));
    return value;
}

uint64_t readUnsigned(hid_t object, const std::string &name)
{
    Hid attribute = openAttribute(object, name);
    uint64_t value = 0;
    check(H5Aread(attribute, H5T_NATIVE_UINT64, &value), "cannot read attribute " + name + " of " + where(object));
    return value;
}

bool isStringAttribute(hid_t object, const std::string &name)
{
    Hid attribute = openAttribute(object, name);
    Hid type(H5Aget_type(attribute), H5Tclose, "cannot read attribute " + name + " of " + where(object));
    return H5Tget_class(type) == H5T_STRING;
}

// Sculpt writes variable-length strings; fixed-length ones (other writers) are read too.
// Read with the file's own type so HDF5 converts nothing (it refuses ASCII ↔ UTF-8).
std::string readString(hid_t object, const std::string &name)
{
    const std::string what = "attribute " + name + " of " + where(object);
    Hid attribute = openAttribute(object, name);
    Hid type(H5Aget_type(attribute), H5Tclose, "cannot read " + what);
    if (H5Tget_class(type) != H5T_STRING)
        throw Failure(what + " is not a string");
    const htri_t variable = H5Tis_variable_str(type);
    check(variable, "cannot read " + what);
    if (variable > 0) {
        char *text = nullptr;
        check(H5Aread(attribute, type, &text), "cannot read " + what);
        std::string value = text ? text : "";
        H5free_memory(text);
        return value;
    }
    std::vector<char> buffer(H5Tget_size(type));
    check(H5Aread(attribute, type, buffer.data()), "cannot read " + what);
    return std::string(buffer.data(), strnlen(buffer.data(), buffer.size()));
}

} // namespace sculpt::hdf5
