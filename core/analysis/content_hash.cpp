#include "analysis/content_hash.h"

#include "io/checkpoint.h"

#include <cstdio>
#include <xxhash.h>

namespace sculpt {
namespace {

std::string hex(XXH64_hash_t h)
{
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

} // namespace

std::string contentHash(std::span<const std::byte> bytes) { return hex(XXH3_64bits(bytes.data(), bytes.size())); }

std::string modelFingerprint(const Checkpoint &checkpoint)
{
    std::string description;
    for (const auto &t : checkpoint.tensors()) {
        description += t.name;
        description += ' ';
        description += dtypeName(t.dtype);
        for (int64_t d : t.shape)
            description += ' ' + std::to_string(d);
        description += '\n';
    }
    return hex(XXH3_64bits(description.data(), description.size()));
}

} // namespace sculpt
