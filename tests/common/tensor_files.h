#pragma once
// Tensors as the reader tests write them: raw little-endian bytes with a name, dtype and
// shape, and a safetensors writer over them.

#include "io/safetensors.h"
#include "test_files.h"

#include <bit>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace sculpt::test {

// The formats are little-endian and append() copies host bytes.
static_assert(std::endian::native == std::endian::little);

template <typename T> QByteArray raw(std::initializer_list<T> values)
{
    QByteArray out;
    for (T v : values)
        append(out, v);
    return out;
}

struct Tensor {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    QByteArray bytes;
};

inline std::span<const std::byte> byteSpan(const QByteArray &bytes)
{
    return std::as_bytes(std::span(bytes.constData(), static_cast<size_t>(bytes.size())));
}

inline QByteArray toQByteArray(std::span<const std::byte> bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

inline void writeTensors(const QString &path, const std::vector<Tensor> &tensors,
                         const std::map<std::string, std::string> &metadata = {})
{
    std::vector<TensorToWrite> views;
    for (const auto &t : tensors)
        views.push_back({t.name, t.dtype, t.shape, byteSpan(t.bytes)});
    writeSafetensors(path.toStdString(), views, metadata);
}

} // namespace sculpt::test
