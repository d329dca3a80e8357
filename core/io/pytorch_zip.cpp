#include "io/pytorch_zip.h"

#include "io/error.h"
#include "io/mapped_file.h"
#include "io/pickle.h"

#include <algorithm>
#include <map>
#include <new>
#include <set>
#include <tuple>
#include <unzip.h>
#include <vector>

namespace sculpt {
namespace {

constexpr const char *kNotAZip = "not a readable zip archive (truncated or damaged)";

struct ZipEntry {
    unz64_file_pos position;
    uint64_t compressedSize;
    uint64_t size;
    unsigned long method;
    unsigned long flags;
};

// minizip's view of the archive: the central directory and the entries' local headers.
// The storages themselves are read through the memory map, not through minizip.
class Zip {
public:
    explicit Zip(const std::string &path) : path_(path), handle_(unzOpen64(path.c_str()))
    {
        if (!handle_)
            throw FileError(path, kNotAZip);
    }
    ~Zip() { unzClose(handle_); }
    Zip(const Zip &) = delete;
    Zip &operator=(const Zip &) = delete;

    std::map<std::string, ZipEntry> entries()
    {
        std::map<std::string, ZipEntry> out;
        for (int status = unzGoToFirstFile(handle_); status != UNZ_END_OF_LIST_OF_FILE;
             status = unzGoToNextFile(handle_)) {
            if (status != UNZ_OK)
                throw FileError(path_, "zip directory is damaged");
            auto [name, entry] = current();
            if (!out.emplace(name, entry).second)
                throw FileError(path_, "zip holds two entries named " + name);
        }
        return out;
    }

    // The whole (decompressed, CRC-checked) content of a small entry.
    std::vector<std::byte> read(const ZipEntry &entry, const std::string &name, uint64_t limit)
    {
        if (entry.size > limit)
            throw FileError(path_, name + " is " + std::to_string(entry.size) + " bytes, more than the " +
                                       std::to_string(limit) + " Sculpt reads");
        Opened opened(*this, entry, name);
        std::vector<std::byte> out(static_cast<size_t>(entry.size));
        size_t done = 0;
        while (done < out.size()) {
            const auto chunk = static_cast<unsigned>(std::min<size_t>(out.size() - done, 1u << 24));
            const int n = unzReadCurrentFile(handle_, out.data() + done, chunk);
            if (n <= 0)
                throw FileError(path_, name + " is damaged or shorter than the zip directory says");
            done += static_cast<size_t>(n);
        }
        if (opened.close() != UNZ_OK)
            throw FileError(path_, name + " fails its CRC check");
        return out;
    }

    // Where a stored entry's bytes begin in the file (after its local header).
    uint64_t dataOffset(const ZipEntry &entry, const std::string &name)
    {
        Opened opened(*this, entry, name);
        return unzGetCurrentFileZStreamPos64(handle_);
    }

private:
    // An entry opened for reading, closed on every path out.
    class Opened {
    public:
        Opened(Zip &zip, const ZipEntry &entry, const std::string &name) : zip_(zip)
        {
            if (entry.flags & 1)
                throw FileError(zip.path_, name + " is encrypted");
            auto position = entry.position;
            if (unzGoToFilePos64(zip.handle_, &position) != UNZ_OK || unzOpenCurrentFile(zip.handle_) != UNZ_OK)
                throw FileError(zip.path_, name + ": its local zip header is damaged");
        }
        ~Opened()
        {
            if (open_)
                unzCloseCurrentFile(zip_.handle_);
        }
        Opened(const Opened &) = delete;
        Opened &operator=(const Opened &) = delete;
        int close()
        {
            open_ = false;
            return unzCloseCurrentFile(zip_.handle_); // UNZ_CRCERROR once everything was read
        }

    private:
        Zip &zip_;
        bool open_ = true;
    };

    std::pair<std::string, ZipEntry> current()
    {
        unz_file_info64 info{};
        if (unzGetCurrentFileInfo64(handle_, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK)
            throw FileError(path_, "zip directory is damaged");
        std::string name(info.size_filename, '\0');
        ZipEntry entry{{}, info.compressed_size, info.uncompressed_size, info.compression_method, info.flag};
        if (unzGetCurrentFileInfo64(handle_, nullptr, name.data(), static_cast<uLong>(name.size()), nullptr, 0,
                                    nullptr, 0) != UNZ_OK ||
            unzGetFilePos64(handle_, &entry.position) != UNZ_OK)
            throw FileError(path_, "zip directory is damaged");
        return {name, entry};
    }

    std::string path_;
    unzFile handle_;
};

// minizip accepts an end-of-central-directory record that is cut short, so a truncated file
// is caught here: the record, with the comment it announces, must end the file exactly.
bool endsWithDirectory(const MappedFile &file)
{
    constexpr uint64_t kRecord = 22;
    const std::byte *data = file.data();
    if (file.size() < kRecord)
        return false;
    const uint64_t lowest = file.size() - std::min<uint64_t>(file.size(), kRecord + 0xFFFF);
    for (uint64_t at = file.size() - kRecord + 1; at-- > lowest;) {
        const auto byte = [&](uint64_t i) { return std::to_integer<uint64_t>(data[at + i]); };
        const uint64_t comment = byte(20) | byte(21) << 8;
        if (byte(0) == 'P' && byte(1) == 'K' && byte(2) == 5 && byte(3) == 6 && at + kRecord + comment == file.size())
            return true;
    }
    return false;
}

// torch.save names the archive's single top folder after the file ("archive" in older versions).
std::string findPrefix(const std::string &path, const std::map<std::string, ZipEntry> &entries)
{
    std::vector<std::string> prefixes;
    for (const auto &[name, entry] : entries) {
        const size_t slash = name.find('/');
        if (slash != std::string::npos && slash > 0 && name.substr(slash) == "/data.pkl")
            prefixes.push_back(name.substr(0, slash));
    }
    if (prefixes.empty())
        throw FileError(path, "zip holds no data.pkl: not a PyTorch checkpoint");
    if (prefixes.size() > 1)
        throw FileError(path, "zip holds " + std::to_string(prefixes.size()) + " data.pkl files (in " +
                                  prefixes[0] + "/ and " + prefixes[1] + "/); a checkpoint has one");
    // TorchScript archives share the layout but pickle scripted classes, not a state_dict.
    if (entries.count(prefixes[0] + "/constants.pkl"))
        throw FileError(path, "a TorchScript archive (torch.jit.save); Sculpt reads torch.save checkpoints");
    return prefixes[0];
}

void requireLittleEndian(const std::string &path, Zip &zip, const std::map<std::string, ZipEntry> &entries,
                         const std::string &prefix)
{
    const std::string name = prefix + "/byteorder";
    const auto it = entries.find(name);
    if (it == entries.end())
        return; // written before the byteorder record existed: little-endian
    const auto bytes = zip.read(it->second, name, 16);
    const std::string order(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    if (order != "little")
        throw FileError(path, "storages are not little-endian (byteorder says '" + order +
                                  "'); Sculpt maps them as they are");
}

std::unique_ptr<pickle::Document> unpickle(const std::string &path, std::span<const std::byte> bytes)
{
    try {
        return std::make_unique<pickle::Document>(bytes);
    } catch (const pickle::Error &e) {
        throw FileError(path, std::string("data.pkl: ") + e.what());
    } catch (const std::bad_alloc &) {
        throw FileError(path, "data.pkl: out of memory while reading it");
    }
}

const pickle::Value *lookup(const pickle::Dict &dict, std::string_view key)
{
    for (const auto &[k, v] : dict.entries)
        if (const auto *s = k->string(); s && *s == key)
            return v;
    return nullptr;
}

struct NamedTensor {
    std::string name;
    const pickle::Tensor *tensor;
};

// The tensors of a state_dict, or of a training checkpoint that wraps one; nested dicts
// get dotted names and anything that is not a tensor is left out.
class TensorCollector {
public:
    explicit TensorCollector(const std::string &path) : path_(path) {}

    std::vector<NamedTensor> collect(const pickle::Value &root)
    {
        const pickle::Value *top = &root;
        if (const auto *dict = root.dict())
            for (const char *key : {"state_dict", "model"})
                if (const auto *inner = lookup(*dict, key); inner && inner->dict()) {
                    top = inner;
                    break;
                }
        if (const auto *dict = top->dict())
            visit(*dict, "", 0);
        return std::move(out_);
    }

private:
    static constexpr int kMaxNesting = 64;

    void visit(const pickle::Dict &dict, const std::string &prefix, int depth)
    {
        if (depth >= kMaxNesting)
            throw FileError(path_, "dicts nested more than " + std::to_string(kMaxNesting) + " deep");
        for (const auto &[key, value] : dict.entries) {
            std::string name;
            if (const auto *s = key->string())
                name = *s;
            else if (const auto *i = std::get_if<int64_t>(&key->data))
                name = std::to_string(*i);
            else
                continue;
            if (!prefix.empty())
                name = prefix + "." + name;
            if (const auto *tensor = value->tensor())
                out_.push_back({std::move(name), tensor});
            else if (const auto *inner = value->dict(); inner && visited_.insert(inner).second)
                visit(*inner, name, depth + 1); // once per dict: shared or cyclic dicts stay finite
        }
    }

    const std::string &path_;
    std::vector<NamedTensor> out_;
    std::set<const pickle::Dict *> visited_;
};

// Maps each storage entry once, after checking that it is stored and as large as the pickle says.
class StorageMap {
public:
    StorageMap(std::shared_ptr<const MappedFile> file, Zip &zip, const std::map<std::string, ZipEntry> &entries,
               std::string prefix)
        : file_(std::move(file)), zip_(zip), entries_(entries), prefix_(std::move(prefix))
    {
    }

    std::span<const std::byte> bytes(const pickle::Storage &storage)
    {
        if (const auto it = mapped_.find(&storage); it != mapped_.end())
            return it->second;
        return mapped_[&storage] = mapEntry(storage);
    }

private:
    std::span<const std::byte> mapEntry(const pickle::Storage &storage)
    {
        const std::string &path = file_->path();
        const std::string name = prefix_ + "/data/" + storage.key;
        const auto it = entries_.find(name);
        if (it == entries_.end())
            throw FileError(path, "storage " + storage.key + " has no zip entry " + name);
        const ZipEntry &entry = it->second;
        if (entry.method != 0)
            throw FileError(path, "storage " + storage.key +
                                      " is compressed; Sculpt maps storages and needs them stored");
        if (entry.compressedSize != entry.size)
            throw FileError(path, "storage " + storage.key + " is stored but its zip sizes differ");
        const auto needed = storageBytes(storage.dtype, storage.numel);
        if (!needed || *needed > entry.size)
            throw FileError(path, "storage " + storage.key + " holds " + std::to_string(entry.size) +
                                      " bytes but the pickle claims " + std::to_string(storage.numel) + " " +
                                      std::string(dtypeName(storage.dtype)) + " elements");
        return file_->slice(zip_.dataOffset(entry, name), *needed, "storage data");
    }

    std::shared_ptr<const MappedFile> file_;
    Zip &zip_;
    const std::map<std::string, ZipEntry> &entries_;
    std::string prefix_;
    std::map<const pickle::Storage *, std::span<const std::byte>> mapped_;
};

TensorInfo tensorInfo(std::string name, const pickle::Tensor &t)
{
    TensorInfo info;
    info.name = std::move(name);
    info.dtype = t.storage->dtype;
    info.shape = t.shape;
    info.strides = t.strides;
    // An empty tensor's strides describe nothing, and TensorInfo keeps strides only for views.
    if (t.extent == 0 || info.contiguous())
        info.strides.clear();
    return info;
}

} // namespace

bool claimsPytorchZip(std::span<const std::byte> head, uint64_t)
{
    constexpr std::byte kMagic[] = {std::byte{'P'}, std::byte{'K'}, std::byte{3}, std::byte{4}};
    return head.size() >= 4 && std::equal(std::begin(kMagic), std::end(kMagic), head.begin());
}

std::unique_ptr<Checkpoint> readPytorchZip(const std::string &path)
{
    auto file = MappedFile::open(path);
    if (!endsWithDirectory(*file))
        throw FileError(path, kNotAZip);
    Zip zip(path);
    const auto entries = zip.entries();
    const std::string prefix = findPrefix(path, entries);
    requireLittleEndian(path, zip, entries, prefix);
    const std::string pickleName = prefix + "/data.pkl";
    const auto document = unpickle(path, zip.read(entries.at(pickleName), pickleName, kMaxPytorchPickle));

    const auto named = TensorCollector(path).collect(document->root());
    if (named.empty())
        throw FileError(path, "holds no tensors (data.pkl is not a state_dict)");

    auto checkpoint = std::make_unique<Checkpoint>(path, "pytorch");
    StorageMap storages(file, zip, entries, prefix);
    // Names that view exactly the same elements are one tensor saved twice (tied weights).
    using View = std::tuple<const pickle::Storage *, uint64_t, std::vector<int64_t>, std::vector<int64_t>>;
    std::map<View, std::string> firstName;
    for (const auto &[name, t] : named) {
        const size_t width = dtypeInfo(t->storage->dtype).blockBytes;
        const auto storage = storages.bytes(*t->storage);
        // The pickle checked offset + extent against the storage's size, and the map checked that size.
        const auto bytes = t->extent == 0 ? storage.first(0) : storage.subspan(t->offset * width, t->extent * width);
        TensorInfo info = tensorInfo(name, *t);
        const auto [it, first] = firstName.emplace(View{t->storage, t->offset, t->shape, t->strides}, name);
        if (!first)
            info.tiedTo = it->second;
        checkpoint->add(std::move(info), file, bytes);
    }
    return checkpoint;
}

} // namespace sculpt
