#include "data/idx.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <zlib.h>

namespace sculpt {
namespace {

constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr uint32_t kImagesMagic = 0x00000803;
// Deflate never expands data more than 1032:1, so a header claiming more than that many
// times a gzip file's size is lying, and is refused before its body is allocated.
constexpr uint64_t kMaxDeflateRatio = 1032;
// zlib counts in 32-bit unsigned ints: larger spans go through it in pieces.
constexpr uint64_t kZlibChunk = uint64_t(1) << 30;

std::string hex(uint32_t value)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", value);
    return text;
}

// The bytes of an IDX file in order, inflated on the fly when the file is gzip (several
// members, as `cat a.gz b.gz` makes, are one stream).
class Reader {
public:
    explicit Reader(const std::string &path) : file_(MappedFile::open(path))
    {
        const auto *bytes = reinterpret_cast<const uint8_t *>(file_->data());
        gzip_ = file_->size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
        if (gzip_ && inflateInit2(&zlib_, 16 + MAX_WBITS) != Z_OK) // 16: expect a gzip wrapper
            throw FileError(path, "zlib cannot start");
    }
    ~Reader()
    {
        if (gzip_)
            inflateEnd(&zlib_);
    }
    Reader(const Reader &) = delete;
    Reader &operator=(const Reader &) = delete;

    [[noreturn]] void fail(const std::string &reason) const { throw FileError(file_->path(), reason); }

    // Throws unless the file can yield `size` more bytes after the `header` bytes read so far.
    void expectRoom(uint64_t header, std::optional<uint64_t> size, const std::string &claim) const
    {
        const uint64_t capacity = gzip_ ? file_->size() * kMaxDeflateRatio : file_->size();
        const uint64_t room = capacity - std::min(capacity, header);
        if (size && *size <= room)
            return;
        fail("the header claims " + claim + " (" + (size ? std::to_string(*size) + " bytes" : "too many bytes") + "), " +
             (gzip_ ? "more than a gzip file of " + std::to_string(file_->size()) + " bytes can hold"
                    : "but only " + std::to_string(room) + " bytes follow the header"));
    }

    // Fills `out` and returns how many bytes it got: fewer only where the data ends.
    size_t read(std::span<uint8_t> out) { return gzip_ ? inflateInto(out) : copyInto(out); }

    // Throws unless the data ends here, and for gzip unless its stream is complete (so its
    // checksum was verified).
    void expectEnd(const std::string &claim)
    {
        uint8_t extra;
        if (read({&extra, 1}) != 0)
            fail("more data follows the " + claim + " the header claims");
        if (gzip_ && !streamEnded_)
            fail("the gzip stream is truncated");
    }

private:
    size_t copyInto(std::span<uint8_t> out)
    {
        const size_t n = size_t(std::min<uint64_t>(out.size(), file_->size() - offset_));
        std::copy_n(reinterpret_cast<const uint8_t *>(file_->data()) + offset_, n, out.data());
        offset_ += n;
        return n;
    }

    size_t inflateInto(std::span<uint8_t> out)
    {
        size_t got = 0;
        while (got < out.size()) {
            if (zlib_.avail_in == 0) {
                if (offset_ == file_->size())
                    break;
                const uint64_t chunk = std::min(file_->size() - offset_, kZlibChunk);
                // zlib's input pointer is not const, but inflate only reads through it.
                zlib_.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(file_->data() + offset_));
                zlib_.avail_in = uInt(chunk);
                offset_ += chunk;
            }
            zlib_.next_out = out.data() + got;
            zlib_.avail_out = uInt(std::min<uint64_t>(out.size() - got, kZlibChunk));
            const uInt room = zlib_.avail_out;
            const int status = inflate(&zlib_, Z_NO_FLUSH);
            got += room - zlib_.avail_out;
            if (status == Z_STREAM_END) {
                streamEnded_ = zlib_.avail_in == 0 && offset_ == file_->size();
                if (streamEnded_)
                    break;
                inflateReset(&zlib_); // another gzip member follows
            } else if (status != Z_OK && status != Z_BUF_ERROR) {
                fail(std::string("damaged gzip data: ") + (zlib_.msg ? zlib_.msg : "zlib error " + std::to_string(status)));
            }
        }
        return got;
    }

    std::shared_ptr<const MappedFile> file_;
    bool gzip_ = false;
    bool streamEnded_ = false;
    z_stream zlib_{};
    uint64_t offset_ = 0; // raw: the next byte to copy; gzip: the next byte not yet given to zlib
};

uint32_t bigEndian(const uint8_t *p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

// The header's dimensions after checking the magic; `kind` names what the file should hold.
std::vector<int64_t> readHeader(Reader &in, uint32_t magic, const char *kind)
{
    uint8_t bytes[4];
    if (in.read(bytes) < 4)
        in.fail("too short for an IDX header");
    if (const uint32_t found = bigEndian(bytes); found != magic) {
        if (found == kLabelsMagic || found == kImagesMagic)
            in.fail("is an IDX " + std::string(found == kLabelsMagic ? "label" : "image") + " file (magic " +
                    hex(found) + "), not " + kind);
        in.fail("magic " + hex(found) + " is not that of IDX " + kind + " (" + hex(magic) + ")");
    }
    std::vector<int64_t> dims(magic & 0xff);
    for (int64_t &d : dims) {
        if (in.read(bytes) < 4)
            in.fail("too short for an IDX header");
        d = bigEndian(bytes);
    }
    return dims;
}

// The body of `dims` unsigned bytes, which must be all the file holds. `claim` says what the
// header claims, in words, for the messages.
std::vector<uint8_t> readBody(Reader &in, const std::vector<int64_t> &dims, const std::string &claim)
{
    const auto size = checkedElements(dims);
    in.expectRoom(4 + 4 * dims.size(), size, claim);
    // A gzip header may claim up to deflate's limit of the file's size: the buffer grows with
    // what really inflates, so a lying header costs no more memory than the data it comes with.
    constexpr size_t kStep = size_t(16) << 20;
    const auto total = static_cast<size_t>(*size);
    std::vector<uint8_t> body;
    while (body.size() < total) {
        const size_t before = body.size();
        body.resize(before + std::min(kStep, total - before));
        if (const size_t got = in.read(std::span(body).subspan(before)); got < body.size() - before)
            in.fail("the data ends after " + std::to_string(before + got) + " of the " + std::to_string(total) +
                    " bytes of the " + claim + " the header claims");
    }
    in.expectEnd(claim);
    return body;
}

} // namespace

IdxImages readIdxImages(const std::string &path)
{
    Reader in(path);
    const std::vector<int64_t> dims = readHeader(in, kImagesMagic, "images");
    IdxImages images{dims[0], dims[1], dims[2], {}};
    const std::string claim = std::to_string(images.count) + " images of " + std::to_string(images.rows) + "×" +
                              std::to_string(images.cols) + " pixels";
    if (images.count > 0 && (images.rows == 0 || images.cols == 0))
        in.fail("the header claims " + claim + ": an image needs at least one pixel");
    images.pixels = readBody(in, dims, claim);
    return images;
}

std::vector<uint8_t> readIdxLabels(const std::string &path)
{
    Reader in(path);
    const std::vector<int64_t> dims = readHeader(in, kLabelsMagic, "labels");
    return readBody(in, dims, std::to_string(dims[0]) + " labels");
}

} // namespace sculpt
