#pragma once
// Records a workspace stores in numbered groups (/evaluations, /passes, a pass's own
// evaluations; internal to core/workspace, callers hold hdf5Lock()). Ids are six digits in
// the order the records were saved, "000001", "000002"…; a name that is not all digits
// belongs to another version of Sculpt and is left alone.

#include "workspace/hdf5_object.h"

#include <string>
#include <vector>

namespace sculpt {

bool isRecordId(const std::string &name);

// The largest record number among `group`'s children; 0 when there is none.
long lastRecordNumber(hid_t group);

std::string recordId(long number);

// An entry's name in a list kept as numbered children, "000000"…, so name order is list order.
inline std::string listPosition(size_t i) { return recordId(long(i)); }

// Every record under `parent`/`name`, in id order, each read by read(its group, its id).
template <typename Record, typename Read>
std::vector<Record> readNumberedRecords(hid_t parent, const std::string &name, Read read)
{
    std::vector<Record> records;
    if (!hdf5::linkExists(parent, name))
        return records;
    const hdf5::Hid group = hdf5::openGroup(parent, name);
    for (const std::string &id : hdf5::childNames(group))
        if (isRecordId(id))
            records.push_back(read(hdf5::openGroup(group, id), id));
    return records;
}

// Writes `records` under `parent`/`name` by write(that group, record); a record without an
// id gets the one after the group's last, and one with an id replaces what is stored there.
template <typename Record, typename Write>
void writeNumberedRecords(hid_t parent, const std::string &name, std::vector<Record> &records, Write write)
{
    if (records.empty())
        return;
    const hdf5::Hid group = hdf5::openOrCreateGroup(parent, name);
    long last = lastRecordNumber(group);
    for (Record &record : records) {
        if (record.id.empty())
            record.id = recordId(++last);
        write(group, record);
    }
}

} // namespace sculpt
