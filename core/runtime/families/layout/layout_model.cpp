#include "runtime/families/layout/layout_model.h"

#include "runtime/weights.h"

#include <cmath>
#include <stdexcept>

namespace sculpt {
namespace {

// DiT's sinusoidal timestep features: the period of the slowest pair.
constexpr double kMaxPeriod = 10000;
constexpr int64_t kBoxFeatures = 4; // cx, cy, w, h
constexpr int64_t kModulations = 6; // shift, scale and gate of the attention, then of the MLP

std::string blockName(int64_t layer, const std::string &module) { return "blocks." + std::to_string(layer) + "." + module; }

// x·(1 + scale) + shift per page: adaLN's modulation of a normalised [B, P, dim] stream.
torch::Tensor modulate(const torch::Tensor &x, const torch::Tensor &shift, const torch::Tensor &scale)
{
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);
}

torch::Tensor timestepFeatures(const torch::Tensor &timesteps, int64_t dim)
{
    const int64_t half = dim / 2;
    const torch::Tensor frequencies =
        torch::exp(-std::log(kMaxPeriod) * torch::arange(half, torch::TensorOptions().dtype(torch::kFloat32).device(timesteps.device())) /
                   double(half));
    const torch::Tensor angles = timesteps.to(torch::kFloat32).unsqueeze(1) * frequencies.unsqueeze(0);
    return torch::cat({torch::cos(angles), torch::sin(angles)}, 1);
}

void check(const ModelInput &in, const LayoutConfig &c)
{
    const auto fail = [](const std::string &why) { throw std::invalid_argument("a layout model's input: " + why); };
    if (!in.boxes.defined() || !in.panels.defined() || !in.timesteps.defined() || !in.aspect.defined())
        fail("boxes, panels, timesteps and aspect are all needed");
    if (in.boxes.dim() != 3 || in.boxes.size(2) != kBoxFeatures)
        fail("boxes are [pages, tokens, 4]");
    const int64_t b = in.boxes.size(0), p = in.boxes.size(1);
    if (p < 1 || p > c.maxPanels)
        fail(std::to_string(p) + " tokens a page, not 1 to " + std::to_string(c.maxPanels));
    if (in.panels.sizes() != torch::IntArrayRef{b, p} || in.panels.scalar_type() != torch::kBool)
        fail("panels are a [pages, tokens] bool mask");
    if (in.timesteps.sizes() != torch::IntArrayRef{b} || in.aspect.sizes() != torch::IntArrayRef{b})
        fail("timesteps and aspect have one value a page");
    if (b > 0 && in.panels.sum(1).min().item<int64_t>() < 1)
        fail("a page without panels");
    if (b > 0 && (in.timesteps.min().item<int64_t>() < 0 || in.timesteps.max().item<int64_t>() >= c.timesteps))
        fail("a diffusion step outside 0 … " + std::to_string(c.timesteps - 1));
    if (b > 0 && in.aspect.le(0).any().item<bool>())
        fail("an aspect ratio that is not positive");
}

} // namespace

LayoutTransformer::LayoutTransformer(const WeightSource &weights, const LayoutConfig &config)
    : config_(config),
      device_(weights.device()),
      boxEmbedding_(weights.linear("embeddings.box", config.dim, kBoxFeatures, true, Init::weight())),
      // Zeros (DiT's adaLN-Zero): the output starts at nothing, whatever the blocks compute.
      headModulation_(weights.linear("head.adaLN_modulation", 2 * config.dim, config.dim, true, Init::zeros())),
      head_(weights.linear("head.proj", kBoxFeatures, config.dim, true, Init::zeros()))
{
    const int64_t d = config.dim;
    const Init normal = Init::weight(), zeros = Init::zeros();
    slots_ = weights.tensor("embeddings.slot", {config.maxPanels, d}, normal);
    counts_ = weights.tensor("embeddings.count", {config.maxPanels, d}, normal);
    time_ = {weights.linear("embeddings.time.linear_1", d, config.frequencyDim, true, normal),
             weights.linear("embeddings.time.linear_2", d, d, true, normal)};
    aspect_ = {weights.linear("embeddings.aspect.linear_1", d, 1, true, normal),
               weights.linear("embeddings.aspect.linear_2", d, d, true, normal)};
    for (int64_t l = 0; l < config.layers; ++l) {
        const auto linear = [&](const std::string &module, int64_t out, int64_t in, const Init &fresh) {
            return weights.linear(blockName(l, module), out, in, true, fresh);
        };
        blocks_.push_back(Block{linear("adaLN_modulation", kModulations * d, d, zeros), linear("attn.q_proj", d, d, normal),
                                linear("attn.k_proj", d, d, normal), linear("attn.v_proj", d, d, normal),
                                linear("attn.o_proj", d, d, normal), linear("mlp.fc1", config.hiddenDim, d, normal),
                                linear("mlp.fc2", d, config.hiddenDim, normal), {}});
    }
}

torch::Tensor LayoutTransformer::norm(const torch::Tensor &x) const
{
    return torch::layer_norm(x, {config_.dim}, {}, {}, config_.layerNormEps); // adaLN brings the affine part
}

torch::Tensor LayoutTransformer::conditioning(const ModelInput &in) const
{
    const torch::Tensor time = time_[1](torch::silu(time_[0](timestepFeatures(in.timesteps, config_.frequencyDim))));
    // The log of height / width: a portrait page and its landscape twin sit either side of 0.
    const torch::Tensor aspect = aspect_[1](torch::silu(aspect_[0](in.aspect.to(torch::kFloat32).log().unsqueeze(1))));
    const torch::Tensor count = counts_.index_select(0, in.panels.sum(1) - 1);
    return time + aspect + count;
}

torch::Tensor LayoutTransformer::runBlock(const Block &block, const torch::Tensor &x, const torch::Tensor &c,
                                          const AttentionMask &mask) const
{
    const std::vector<torch::Tensor> m = block.modulation(torch::silu(c)).chunk(kModulations, 1);
    const int64_t b = x.size(0), p = x.size(1), h = config_.heads, d = config_.headDim();
    const torch::Tensor y = modulate(norm(x), m[0], m[1]);
    const auto heads = [&](const torch::Tensor &t) { return t.view({b, p, h, d}).transpose(1, 2); };
    const torch::Tensor attended =
        block.o(attend(heads(block.q(y)), heads(block.k(y)), heads(block.v(y)), mask, 1 / std::sqrt(double(d)), block.headGate));
    const torch::Tensor mid = x + m[2].unsqueeze(1) * attended;
    const torch::Tensor z = modulate(norm(mid), m[3], m[4]);
    return mid + m[5].unsqueeze(1) * block.fc2(torch::gelu(block.fc1(z), "tanh"));
}

ModelOutput LayoutTransformer::forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter) const
{
    check(input, config_);
    const int64_t p = input.boxes.size(1);
    const torch::Tensor c = conditioning(input);
    const AttentionMask mask = keyMask(input.panels, config_.heads);
    torch::Tensor x = boxEmbedding_(input.boxes) + slots_.narrow(0, 0, p).unsqueeze(0);
    ModelOutput out;
    std::vector<torch::Tensor> kept(blocks_.size());
    for (size_t l = 0; l < blocks_.size(); ++l)
        kept[l] = x = runBlock(blocks_[l], x, c, mask);
    for (const int64_t l : hiddenAfter) {
        if (l < 0 || l >= int64_t(blocks_.size()))
            throw std::invalid_argument("the layout model has no block " + std::to_string(l));
        out.hidden.push_back(kept[size_t(l)]);
    }
    const std::vector<torch::Tensor> m = headModulation_(torch::silu(c)).chunk(2, 1);
    out.logits = head_(modulate(norm(x), m[0], m[1]));
    return out;
}

std::vector<LinearSite> LayoutTransformer::linearSites()
{
    std::vector<LinearSite> all{{"embeddings.box", "embed", -1, &boxEmbedding_},
                                {"embeddings.time.linear_1", "embed", -1, &time_[0]},
                                {"embeddings.time.linear_2", "embed", -1, &time_[1]},
                                {"embeddings.aspect.linear_1", "embed", -1, &aspect_[0]},
                                {"embeddings.aspect.linear_2", "embed", -1, &aspect_[1]}};
    for (size_t l = 0; l < blocks_.size(); ++l) {
        Block &b = blocks_[l];
        const int64_t layer = int64_t(l);
        all.push_back({blockName(layer, "adaLN_modulation"), "modulation", layer, &b.modulation});
        all.push_back({blockName(layer, "attn.q_proj"), "q", layer, &b.q});
        all.push_back({blockName(layer, "attn.k_proj"), "k", layer, &b.k});
        all.push_back({blockName(layer, "attn.v_proj"), "v", layer, &b.v});
        all.push_back({blockName(layer, "attn.o_proj"), "o", layer, &b.o});
        all.push_back({blockName(layer, "mlp.fc1"), "fc1", layer, &b.fc1});
        all.push_back({blockName(layer, "mlp.fc2"), "fc2", layer, &b.fc2});
    }
    all.push_back({"head.adaLN_modulation", "modulation", -1, &headModulation_});
    all.push_back({"head.proj", "head", -1, &head_});
    return all;
}

std::vector<AttentionSite> LayoutTransformer::attentionSites()
{
    std::vector<AttentionSite> all;
    for (size_t l = 0; l < blocks_.size(); ++l) {
        const int64_t layer = int64_t(l);
        all.push_back({layer, config_.heads, config_.heads, config_.headDim(),
                       {blockName(layer, "attn.q_proj"), blockName(layer, "attn.k_proj"), blockName(layer, "attn.v_proj")},
                       blockName(layer, "attn.o_proj"), &blocks_[l].headGate, false});
    }
    return all;
}

NamedTensors LayoutTransformer::embeddings() const { return {{"embeddings.slot", slots_}, {"embeddings.count", counts_}}; }

std::vector<std::pair<std::string, torch::Tensor>> LayoutTransformer::parameters()
{
    NamedTensors all = embeddings();
    for (const LinearSite &site : linearSites())
        for (auto &named : site.linear->parameters(site.name))
            all.push_back(std::move(named));
    return all;
}

std::vector<std::pair<std::string, torch::Tensor>> LayoutTransformer::checkpointTensors(bool factorized)
{
    NamedTensors all = embeddings();
    for (const LinearSite &site : linearSites())
        appendLinear(all, site.name, *site.linear, factorized);
    return all;
}

} // namespace sculpt
