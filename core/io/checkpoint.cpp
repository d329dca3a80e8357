#include "io/checkpoint.h"

#include "io/error.h"
#include "io/mapped_file.h"


namespace sculpt {

std::optional<uint64_t> checkedElements(std::span<const int64_t> shape)
{
    uint64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0)
            return std::nullopt;
        const auto u = static_cast<uint64_t>(d);
        if (u != 0 && n > UINT64_MAX / u)
            return std::nullopt;
        n *= u;
    }
    return n;
}

std::string shapeText(std::span<const int64_t> shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

uint64_t TensorInfo::elements() const { return checkedElements(shape).value_or(0); }

bool TensorInfo::contiguous() const
{
    // An empty tensor is trivially contiguous, and skipping it keeps the product below from
    // overflowing on a zero dimension beside huge ones.
    if (strides.empty() || elements() == 0)
        return true;
    int64_t expected = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        if (shape[i] != 1 && strides[i] != expected)
            return false;
        expected *= shape[i];
    }
    return true;
}

const TensorInfo *Checkpoint::find(const std::string &name) const
{
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo &Checkpoint::at(const std::string &name) const
{
    if (const TensorInfo *t = find(name))
        return *t;
    throw FileError(path_, "no tensor named '" + name + "'");
}

std::span<const std::byte> Checkpoint::bytes(const TensorInfo &t) const
{
    return storage_.at(static_cast<size_t>(&t - tensors_.data())).bytes;
}

std::vector<float> Checkpoint::toFloat32(const TensorInfo &t) const
{
    const uint64_t n = t.elements();
    const auto src = bytes(t);
    const DTypeInfo &type = dtypeInfo(t.dtype);
    const auto refuse = [&](const std::string &why) { return FileError(path_, t.name + ": " + why); };
    if (!type.toFloat32)
        throw refuse("dtype " + std::string(type.name) + " cannot be converted to float32 (not supported yet)");
    if (t.contiguous()) {
        std::vector<float> out(n);
        convertToFloat32(t.dtype, src.data(), n, out.data());
        return out;
    }
    // Strided (a view saved by torch.save): gather element by element.
    if (type.blockElements != 1)
        throw refuse("a strided quantised tensor cannot be converted");
    // A broadcast view (stride 0) could claim far more elements than the file holds.
    if (n > src.size() / type.blockBytes)
        throw refuse("a broadcast view larger than its storage is not converted");
    std::vector<float> out(n);
    std::vector<int64_t> index(t.shape.size(), 0);
    for (uint64_t i = 0; i < n; ++i) {
        int64_t offset = 0;
        for (size_t d = 0; d < index.size(); ++d)
            offset += index[d] * t.strides[d];
        convertToFloat32(t.dtype, src.data() + static_cast<size_t>(offset) * type.blockBytes, 1, &out[i]);
        for (size_t d = index.size(); d-- > 0;) {
            if (++index[d] < t.shape[d])
                break;
            index[d] = 0;
        }
    }
    return out;
}

void Checkpoint::release(const TensorInfo &t) const
{
    const Storage &s = storage_.at(static_cast<size_t>(&t - tensors_.data()));
    if (s.file)
        s.file->release(s.bytes);
}

uint64_t Checkpoint::parameterCount() const
{
    uint64_t n = 0;
    for (const auto &t : tensors_)
        if (t.tiedTo.empty())
            n += t.elements();
    return n;
}

std::map<std::string, uint64_t> Checkpoint::parametersByDType() const
{
    std::map<std::string, uint64_t> out;
    for (const auto &t : tensors_)
        if (t.tiedTo.empty())
            out[std::string(dtypeName(t.dtype))] += t.elements();
    return out;
}

uint64_t Checkpoint::tensorBytes() const
{
    uint64_t n = 0;
    for (size_t i = 0; i < tensors_.size(); ++i)
        if (tensors_[i].tiedTo.empty())
            n += storage_[i].bytes.size();
    return n;
}

void Checkpoint::add(TensorInfo info, std::shared_ptr<const MappedFile> file, std::span<const std::byte> bytes)
{
    if (index_.count(info.name))
        throw FileError(file ? file->path() : path_, "tensor '" + info.name + "' appears twice");
    index_.emplace(info.name, tensors_.size());
    tensors_.push_back(std::move(info));
    storage_.push_back({std::move(file), bytes});
}

void Checkpoint::merge(Checkpoint &&other)
{
    for (size_t i = 0; i < other.tensors_.size(); ++i)
        add(std::move(other.tensors_[i]), std::move(other.storage_[i].file), other.storage_[i].bytes);
    metadata_.merge(other.metadata_);
}

} // namespace sculpt
