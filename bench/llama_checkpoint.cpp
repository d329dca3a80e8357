#include "llama_checkpoint.h"

#include "io/dtype.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <sys/statvfs.h>
#include <unistd.h>

namespace bench {
namespace {

// The safetensors header (8-byte length, JSON padded with spaces to 8) for `tensors` in F16;
// returns the header bytes and sets `dataBytes`.
std::string safetensorsHeader(const std::vector<Tensor> &tensors, uint64_t &dataBytes)
{
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    uint64_t offset = 0;
    for (const Tensor &t : tensors) {
        const uint64_t bytes = 2 * static_cast<uint64_t>(elements(t));
        header[t.name] = {{"dtype", "F16"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t length = text.size();
    dataBytes = offset;
    return std::string(reinterpret_cast<const char *>(&length), 8) + text;
}

struct FileDescriptor {
    int fd;
    ~FileDescriptor()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

void writeAll(int fd, const void *data, size_t bytes, uint64_t offset, const std::string &path)
{
    for (size_t done = 0; done < bytes;) {
        const ssize_t n = ::pwrite(fd, static_cast<const char *>(data) + done, bytes - done, off_t(offset + done));
        if (n <= 0)
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        done += size_t(n);
    }
}

} // namespace

std::vector<Tensor> llamaTensors(const ModelShape &s)
{
    std::vector<Tensor> tensors{{"model.embed_tokens.weight", {s.vocab, s.dim}}};
    for (int64_t l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        tensors.push_back({p + "self_attn.q_proj.weight", {s.dim, s.dim}});
        tensors.push_back({p + "self_attn.k_proj.weight", {s.kvDim, s.dim}});
        tensors.push_back({p + "self_attn.v_proj.weight", {s.kvDim, s.dim}});
        tensors.push_back({p + "self_attn.o_proj.weight", {s.dim, s.dim}});
        tensors.push_back({p + "mlp.gate_proj.weight", {s.hidden, s.dim}});
        tensors.push_back({p + "mlp.up_proj.weight", {s.hidden, s.dim}});
        tensors.push_back({p + "mlp.down_proj.weight", {s.dim, s.hidden}});
        tensors.push_back({p + "input_layernorm.weight", {s.dim}});
        tensors.push_back({p + "post_attention_layernorm.weight", {s.dim}});
    }
    tensors.push_back({"model.norm.weight", {s.dim}});
    tensors.push_back({"lm_head.weight", {s.vocab, s.dim}});
    return tensors;
}

int64_t elements(const Tensor &t)
{
    int64_t n = 1;
    for (int64_t d : t.shape)
        n *= d;
    return n;
}

uint16_t HalfNoise::next()
{
    const float value = normal_(rng_);
    return sculpt::floatToHalf(drift_ > 0 ? value + drift_ * driftNormal_(driftRng_) : value);
}

// Sparse first (header, then the full length), then the data filled in place in chunks, so
// the memory used stays at one chunk; synced so write-back does not run during the timing.
uint64_t writeModel(const std::string &path, const std::vector<Tensor> &tensors, float drift)
{
    uint64_t dataBytes = 0;
    const std::string header = safetensorsHeader(tensors, dataBytes);
    const uint64_t total = header.size() + dataBytes;
    const FileDescriptor file{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)};
    const int fd = file.fd;
    if (fd < 0 || ::ftruncate(fd, off_t(total)) != 0)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    writeAll(fd, header.data(), header.size(), 0, path);
    HalfNoise noise(7, drift);
    std::vector<uint16_t> chunk(size_t(8) << 20);
    for (uint64_t offset = header.size(); offset < total;) {
        const size_t count = size_t(std::min<uint64_t>(chunk.size(), (total - offset) / 2));
        for (size_t i = 0; i < count; ++i)
            chunk[i] = noise.next();
        writeAll(fd, chunk.data(), count * 2, offset, path);
        offset += count * 2;
    }
    if (::fsync(fd) != 0)
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    return total;
}

double freeGb(const std::string &folder)
{
    struct statvfs fs {};
    if (::statvfs(folder.c_str(), &fs) != 0)
        throw std::runtime_error("statvfs " + folder + ": " + std::strerror(errno));
    return double(fs.f_bavail) * double(fs.f_frsize) / 1e9;
}

} // namespace bench
