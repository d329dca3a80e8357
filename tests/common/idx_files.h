#pragma once
// IDX files as the tests write them: a big-endian header (magic, one count per dimension)
// and the bytes after it.

#include <QByteArray>

#include <cstdint>
#include <initializer_list>

namespace sculpt::test {

inline constexpr uint32_t kIdxImages = 0x00000803, kIdxLabels = 0x00000801;

inline QByteArray idxFile(uint32_t magic, std::initializer_list<uint32_t> dims, const QByteArray &body)
{
    QByteArray out;
    const auto appendBigEndian = [&](uint32_t value) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out.append(char((value >> shift) & 0xff));
    };
    appendBigEndian(magic);
    for (uint32_t d : dims)
        appendBigEndian(d);
    return out + body;
}

} // namespace sculpt::test
