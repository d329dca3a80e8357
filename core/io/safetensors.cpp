#include "io/safetensors.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/json_text.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

namespace sculpt {
namespace {

using json = nlohmann::json;

uint64_t readU64(const std::byte *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | std::to_integer<uint64_t>(p[i]);
    return v;
}

bool isSafetensorsDType(DType t) { return static_cast<int>(t) <= static_cast<int>(DType::F8_E5M2); }

// The reference writer orders tensors by dtype (its enum order, descending), then name;
// following it makes our files byte-identical to the reference for the same tensors.
int referenceRank(DType t)
{
    switch (t) {
    case DType::BOOL: return 0;
    case DType::U8: return 1;
    case DType::I8: return 2;
    case DType::F8_E5M2: return 3;
    case DType::F8_E4M3: return 4;
    case DType::I16: return 5;
    case DType::F16: return 7;
    case DType::BF16: return 8;
    case DType::I32: return 9;
    case DType::F32: return 11;
    case DType::F64: return 12;
    case DType::I64: return 13;
    default: return -1;
    }
}

struct Entry {
    TensorInfo info;
    uint64_t begin = 0;
    uint64_t end = 0;
};

Entry parseEntry(const std::string &path, const std::string &name, const json &v)
{
    const auto fail = [&](const std::string &why) { throw FileError(path, "tensor '" + name + "': " + why); };
    if (!v.is_object())
        fail("header entry is not an object");
    Entry e;
    e.info.name = name;
    const auto dt = v.find("dtype");
    if (dt == v.end() || !dt->is_string())
        fail("missing dtype");
    const auto dtype = dtypeFromName(dt->get<std::string>());
    if (!dtype || !isSafetensorsDType(*dtype))
        fail("unknown dtype '" + dt->get<std::string>() + "'");
    e.info.dtype = *dtype;
    const auto shape = v.find("shape");
    if (shape == v.end() || !shape->is_array())
        fail("missing shape");
    if (shape->size() > 64)
        fail("shape has " + std::to_string(shape->size()) + " dimensions");
    for (const auto &d : *shape) {
        if (!d.is_number_unsigned() || d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            fail("shape holds something other than a non-negative integer");
        e.info.shape.push_back(d.get<int64_t>());
    }
    const auto offsets = v.find("data_offsets");
    if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
        fail("data_offsets must be two non-negative integers");
    e.begin = (*offsets)[0].get<uint64_t>();
    e.end = (*offsets)[1].get<uint64_t>();
    if (e.end < e.begin)
        fail("data_offsets end before they begin");
    const auto elements = checkedElements(e.info.shape);
    const auto needed = elements ? storageBytes(e.info.dtype, *elements) : std::nullopt;
    if (!needed)
        fail("shape is too large");
    if (*needed != e.end - e.begin)
        fail("data_offsets cover " + std::to_string(e.end - e.begin) + " bytes but shape × dtype needs " +
             std::to_string(*needed));
    return e;
}

} // namespace

bool claimsSafetensors(std::span<const std::byte> head, uint64_t fileSize)
{
    if (head.size() < 9 || fileSize < 9)
        return false;
    const uint64_t n = readU64(head.data());
    return n <= fileSize - 8 && head[8] == std::byte{'{'};
}

std::unique_ptr<Checkpoint> readSafetensors(const std::string &path)
{
    auto file = MappedFile::open(path);
    if (file->size() < 8)
        throw FileError(path, "truncated: shorter than the 8-byte header length");
    const uint64_t headerLength = readU64(file->data());
    if (headerLength > kMaxSafetensorsHeader)
        throw FileError(path, "header length " + std::to_string(headerLength) + " exceeds the 100 MB limit");
    if (headerLength > file->size() - 8)
        throw FileError(path, "header length " + std::to_string(headerLength) +
                                  " runs past the end of the file (" + std::to_string(file->size()) + " bytes)");
    const auto headerBytes = file->slice(8, headerLength, "header");
    // A tensor's entry is about a dozen values (its key, dtype, shape, offsets): two million
    // covers 150,000 tensors in one file, past any model seen, at a few hundred MB at worst.
    const json header = parseJson(std::string_view(reinterpret_cast<const char *>(headerBytes.data()), headerBytes.size()),
                                  path, "header", {.values = 2'000'000, .depth = 4});
    if (!header.is_object())
        throw FileError(path, "header is not a JSON object");

    auto checkpoint = std::make_unique<Checkpoint>(path, "safetensors");
    std::vector<Entry> entries;
    for (const auto &[key, value] : header.items()) {
        if (key == "__metadata__") {
            if (!value.is_object())
                throw FileError(path, "__metadata__ is not an object");
            for (const auto &[mk, mv] : value.items()) {
                if (!mv.is_string())
                    throw FileError(path, "__metadata__ value for '" + mk + "' is not a string");
                checkpoint->metadata()[mk] = mv.get<std::string>();
            }
            continue;
        }
        entries.push_back(parseEntry(path, key, value));
    }

    // The data must be covered exactly: sorted by offset, no gaps, no overlaps.
    const uint64_t dataStart = 8 + headerLength;
    const uint64_t dataLength = file->size() - dataStart;
    std::vector<const Entry *> byOffset;
    for (const auto &e : entries)
        byOffset.push_back(&e);
    std::stable_sort(byOffset.begin(), byOffset.end(),
                     [](const Entry *a, const Entry *b) {
                         // Empty tensors share offsets with their neighbours; the reference sorts them first.
                         return std::tie(a->begin, a->end) < std::tie(b->begin, b->end);
                     });
    uint64_t cursor = 0;
    for (const Entry *e : byOffset) {
        if (e->begin < cursor)
            throw FileError(path, "tensor '" + e->info.name + "' overlaps the tensor before it");
        if (e->begin > cursor)
            throw FileError(path, "gap of " + std::to_string(e->begin - cursor) + " bytes before tensor '" +
                                      e->info.name + "'");
        if (e->end > dataLength)
            throw FileError(path, "tensor '" + e->info.name + "' runs past the end of the file");
        cursor = e->end;
    }
    if (cursor != dataLength)
        throw FileError(path, std::to_string(dataLength - cursor) + " bytes after the last tensor belong to none");

    // List tensors in file order, as they were written.
    for (const Entry *e : byOffset)
        checkpoint->add(e->info, file, file->slice(dataStart + e->begin, e->end - e->begin, "tensor data"));
    return checkpoint;
}

void writeSafetensors(const std::string &path, const std::vector<TensorToWrite> &tensors,
                      const std::map<std::string, std::string> &metadata)
{
    std::vector<const TensorToWrite *> order;
    std::set<std::string> names;
    for (const auto &t : tensors) {
        if (!isSafetensorsDType(t.dtype))
            throw FileError(path, "safetensors cannot store dtype " + std::string(dtypeName(t.dtype)));
        const auto elements = checkedElements(t.shape);
        const auto needed = elements ? storageBytes(t.dtype, *elements) : std::nullopt;
        if (!needed || *needed != t.bytes.size())
            throw FileError(path, "tensor '" + t.name + "' has " + std::to_string(t.bytes.size()) +
                                      " bytes, which does not match its shape and dtype");
        if (t.name == "__metadata__" || !names.insert(t.name).second)
            throw FileError(path, "tensor name '" + t.name + "' is reserved or repeated");
        order.push_back(&t);
    }
    std::sort(order.begin(), order.end(), [](const TensorToWrite *a, const TensorToWrite *b) {
        const int ra = referenceRank(a->dtype), rb = referenceRank(b->dtype);
        return ra != rb ? ra > rb : a->name < b->name;
    });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto *t : order) {
        nlohmann::ordered_json entry;
        entry["dtype"] = std::string(dtypeName(t->dtype));
        entry["shape"] = t->shape;
        entry["data_offsets"] = {offset, offset + t->bytes.size()};
        header[t->name] = std::move(entry);
        offset += t->bytes.size();
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');

    std::byte length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<std::byte>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xFF);
    AtomicFile out(path);
    out.write(length);
    out.write(std::as_bytes(std::span(text)));
    for (const auto *t : order)
        out.write(t->bytes);
    out.commit();
}

} // namespace sculpt
