#include "runtime/model.h"

#include "model/head_layout.h"

#include <stdexcept>

namespace sculpt {

KvCache KvCache::forContext(int64_t layers, int64_t kvHeads, int64_t contextLength, int64_t headDim,
                            torch::Device device)
{
    KvCache cache;
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    for (int64_t l = 0; l < layers; ++l) {
        cache.keys.push_back(torch::empty({kvHeads, contextLength, headDim}, options));
        cache.values.push_back(torch::empty({kvHeads, contextLength, headDim}, options));
    }
    return cache;
}

torch::Tensor CausalModel::prefill(const torch::Tensor &tokens, const torch::Tensor &pixels, KvCache *cache) const
{
    if (pixels.defined())
        throw std::invalid_argument("a " + family() + " model reads no images");
    return step(tokens, cache);
}

std::vector<std::string> CausalModel::convertToHimix()
{
    throw std::invalid_argument("a " + family() + " model reads no images: there is nothing for HiMix to move");
}

std::vector<LinearSite> blockSites(Model &model)
{
    std::vector<LinearSite> inside;
    for (LinearSite &site : model.linearSites())
        if (site.layer >= 0)
            inside.push_back(std::move(site));
    return inside;
}

namespace {

HeadLayout layoutOf(const AttentionSite &site)
{
    return {site.layer, site.heads, site.kvHeads, site.headDim, site.inputs.size() == 1, site.fusedHeadsFirst};
}

torch::Tensor indices(const HeadSpan &span)
{
    return torch::arange(span.first, span.first + span.count, torch::kInt64);
}

} // namespace

std::vector<torch::Tensor> headInputRows(const AttentionSite &site, int64_t head)
{
    std::vector<std::vector<torch::Tensor>> parts(site.inputs.size());
    for (const HeadSpan &span : headInputSpans(layoutOf(site), head))
        parts[span.input].push_back(indices(span));
    std::vector<torch::Tensor> rows;
    for (const auto &part : parts)
        rows.push_back(torch::cat(part));
    return rows;
}

torch::Tensor roleRows(const AttentionSite &site, size_t role)
{
    std::vector<torch::Tensor> parts;
    int64_t previous = -1;
    for (int64_t head = 0; head < site.heads; ++head) {
        const HeadSpan span = headInputSpans(layoutOf(site), head).at(role);
        if (span.first != previous) // query heads that share a key/value head follow each other
            parts.push_back(indices(span));
        previous = span.first;
    }
    return parts.empty() ? torch::empty({0}, torch::kInt64) : torch::cat(parts); // a layer may lose every head
}

torch::Tensor headOutputColumns(const AttentionSite &site, int64_t head)
{
    return indices(headOutputSpan(layoutOf(site), head));
}

void Model::removeHeads(int64_t, const std::vector<int64_t> &)
{
    throw std::invalid_argument("the " + family() + " runtime cannot remove attention heads");
}

torch::Tensor VisionModel::pixels(const uint8_t *bytes, size_t size, int64_t count) const
{
    const ImageFormat &f = imageFormat();
    const auto area = uint64_t(f.size * f.size);
    const uint64_t channels = count > 0 ? size / (uint64_t(count) * area) : 0;
    if (count <= 0 || size != uint64_t(count) * area * channels || (channels != 1 && channels != uint64_t(f.channels)))
        throw std::invalid_argument(std::to_string(size) + " bytes are not " + std::to_string(count) + " images of " +
                                    std::to_string(f.size) + "×" + std::to_string(f.size) + " pixels in 1 or " +
                                    std::to_string(f.channels) + " channels");
    const auto options = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor mean = torch::tensor(f.mean, options).view({1, f.channels, 1, 1});
    const torch::Tensor deviation = torch::tensor(f.std, options).view({1, f.channels, 1, 1});
    // from_blob only reads here: the bytes are converted into a new tensor at once.
    const torch::Tensor raw =
        torch::from_blob(const_cast<uint8_t *>(bytes), {count, int64_t(channels), f.size, f.size}, torch::kUInt8);
    // In float64, then rounded once: the pixels a float64 preprocessing pipeline would give.
    // One grey channel broadcasts into every channel the model takes.
    const torch::Tensor normalised = (raw.to(torch::kFloat64) * f.rescale - mean) / deviation;
    return normalised.expand({count, f.channels, f.size, f.size}).to(device(), torch::kFloat32).contiguous();
}

} // namespace sculpt
