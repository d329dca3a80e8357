#include "runtime/families/llava/llava.h"

#include "runtime/checkpoint_tensors.h"
#include "runtime/weights.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt {

Llava::Llava(const WeightSource &weights, const LlavaConfig &config)
    : config_(config),
      tower_(weights, config.vision),
      projectorIn_(weights.linear(kLlavaProjectorIn, config.text.dim, config.vision.dim, config.projectorBias,
                                  Init::weight())),
      projectorOut_(weights.linear(kLlavaProjectorOut, config.text.dim, config.text.dim, config.projectorBias,
                                   Init::weight())),
      decoder_(weights, config.text)
{
    if (!config.himix)
        return;
    const int64_t d = config.text.dim, kv = config.text.kvHeads * config.text.headDim;
    for (int64_t l = 0; l < config.text.layers; ++l) {
        const std::string k = himixKeyName(l), v = himixValueName(l);
        imageAttention_.push_back({weights.tensor(himixNormName(l), {d}, Init::ones()),
                                   weights.linear(k, kv, d, weights.has(k + ".bias"), Init::weight()),
                                   weights.linear(v, kv, d, weights.has(v + ".bias"), Init::weight())});
    }
}

torch::Tensor Llava::imageFeatures(const torch::Tensor &pixels) const
{
    torch::Tensor features = tower_.hiddenAfter(pixels, config_.featureLayer);
    if (config_.dropFirstToken)
        features = features.narrow(1, 1, features.size(1) - 1);
    return projectorOut_(applyActivation(config_.projectorActivation, projectorIn_(features)));
}

AttentionPrefix Llava::imageKeys(const torch::Tensor &features) const
{
    const LlamaConfig &c = config_.text;
    const int64_t b = features.size(0), n = features.size(1);
    AttentionPrefix prefix;
    for (const ImageAttention &layer : imageAttention_) {
        const torch::Tensor normed = rmsNorm(features, layer.norm, c.rmsNormEps);
        prefix.keys.push_back(layer.k(normed).view({b, n, c.kvHeads, c.headDim}).transpose(1, 2));
        prefix.values.push_back(layer.v(normed).view({b, n, c.kvHeads, c.headDim}).transpose(1, 2));
    }
    return prefix;
}

namespace {

// The prompt's image tokens [B, T] as bools, checked against the images' count.
torch::Tensor imageSlots(const torch::Tensor &tokens, const torch::Tensor &pixels, const LlavaConfig &config)
{
    const torch::Tensor slots = tokens.eq(config.imageToken);
    const int64_t images = pixels.defined() ? pixels.size(0) : 0;
    const int64_t found = slots.sum().item<int64_t>(), wanted = images * config.imageTokens();
    if (found != wanted)
        throw std::invalid_argument("the prompt holds " + std::to_string(found) + " image tokens, but " +
                                    std::to_string(images) + " images take " + std::to_string(wanted) + " (" +
                                    std::to_string(config.imageTokens()) + " each)");
    return slots;
}

} // namespace

torch::Tensor Llava::embedWithImages(const torch::Tensor &tokens, const torch::Tensor &pixels) const
{
    const torch::Tensor slots = imageSlots(tokens, pixels, config_);
    const torch::Tensor x = decoder_.embed(tokens);
    if (!pixels.defined() || pixels.size(0) == 0)
        return x;
    // masked_scatter fills the slots in row-major order: the first image's tokens first.
    return x.masked_scatter(slots.unsqueeze(-1).expand_as(x), imageFeatures(pixels).to(x.dtype()));
}

std::pair<torch::Tensor, torch::Tensor> Llava::splitImages(const torch::Tensor &tokens, const torch::Tensor &pixels) const
{
    const torch::Tensor slots = imageSlots(tokens, pixels, config_);
    const torch::Tensor counts = slots.sum(1);
    const int64_t b = tokens.size(0), perRow = counts.max().item<int64_t>();
    if (counts.min().item<int64_t>() != perRow)
        throw std::invalid_argument("a HiMix batch needs as many image tokens in every row");
    const torch::Tensor text = tokens.masked_select(slots.logical_not()).view({b, tokens.size(1) - perRow});
    const int64_t dim = config_.text.dim;
    const torch::Tensor features =
        perRow == 0 ? torch::Tensor() : imageFeatures(pixels).reshape({b, perRow, dim});
    return {decoder_.embed(text), features};
}

ModelOutput Llava::forward(const ModelInput &input, const std::vector<int64_t> &hiddenAfter) const
{
    if (!config_.himix)
        return decoder_.forwardEmbedded(embedWithImages(input.tokens, input.pixels), input.documents, hiddenAfter);
    const auto [text, features] = splitImages(input.tokens, input.pixels);
    if (!features.defined())
        return decoder_.forwardEmbedded(text, input.documents, hiddenAfter);
    const AttentionPrefix prefix = imageKeys(features);
    return decoder_.forwardEmbedded(text, input.documents, hiddenAfter, &prefix);
}

torch::Tensor Llava::step(const torch::Tensor &tokens, KvCache *cache) const
{
    if (tokens.eq(config_.imageToken).any().item<bool>())
        throw std::invalid_argument("an image token needs its image: run the prompt through prefill() with the pixels");
    return decoder_.step(tokens, cache);
}

DecoderProducts Llava::products() const
{
    DecoderProducts products = decoder_.products();
    for (const ImageAttention &layer : imageAttention_)
        products.perImageToken += layer.k.macsPerRow() + layer.v.macsPerRow();
    return products;
}

std::optional<ImagePrompt> Llava::imagePrompt() const
{
    return ImagePrompt{config_.imageToken, config_.imageTokens(), config_.vision.imageSize, config_.vision.channels};
}

torch::Tensor Llava::prefill(const torch::Tensor &tokens, const torch::Tensor &pixels, KvCache *cache) const
{
    if (!cache) {
        ModelInput in = ModelInput::ofTokens(tokens.unsqueeze(0));
        in.pixels = pixels;
        return forward(in).logits.squeeze(0);
    }
    if (!config_.himix)
        return decoder_.stepEmbedded(embedWithImages(tokens.unsqueeze(0), pixels).squeeze(0), cache);
    const auto [text, features] = splitImages(tokens.unsqueeze(0), pixels);
    if (features.defined()) {
        if (cache->length > 0)
            throw std::invalid_argument("a HiMix model takes its images before any other token");
        const AttentionPrefix prefix = imageKeys(features);
        const int64_t n = prefix.length();
        if (n > contextLength())
            throw std::length_error("the images' " + std::to_string(n) + " tokens exceed the model's context of " +
                                    std::to_string(contextLength()));
        for (size_t l = 0; l < prefix.keys.size(); ++l) {
            cache->keys[l].narrow(1, 0, n).copy_(prefix.keys[l][0]);
            cache->values[l].narrow(1, 0, n).copy_(prefix.values[l][0]);
        }
        cache->length = cache->prefix = n;
    }
    return decoder_.stepEmbedded(text.squeeze(0), cache);
}

std::vector<LinearSite> Llava::linearSites()
{
    std::vector<LinearSite> all = decoder_.linearSites();
    for (size_t l = 0; l < imageAttention_.size(); ++l) {
        all.push_back({himixKeyName(int64_t(l)), "k_img", int64_t(l), &imageAttention_[l].k});
        all.push_back({himixValueName(int64_t(l)), "v_img", int64_t(l), &imageAttention_[l].v});
    }
    all.push_back({kLlavaProjectorIn, "projector", -1, &projectorIn_});
    all.push_back({kLlavaProjectorOut, "projector", -1, &projectorOut_});
    return all;
}

std::vector<std::pair<std::string, torch::Tensor>> Llava::parameters()
{
    std::vector<std::pair<std::string, torch::Tensor>> all = tower_.parameters();
    for (const LinearSite &site : linearSites())
        if (site.role == "projector")
            for (auto &named : site.linear->parameters(site.name))
                all.push_back(std::move(named));
    for (auto &named : decoder_.parameters())
        all.push_back(std::move(named));
    for (size_t l = 0; l < imageAttention_.size(); ++l)
        all.emplace_back(himixNormName(int64_t(l)), imageAttention_[l].norm);
    for (const LinearSite &site : linearSites())
        if (site.role == "k_img" || site.role == "v_img")
            for (auto &named : site.linear->parameters(site.name))
                all.push_back(std::move(named));
    return all;
}

std::vector<std::string> Llava::convertToHimix()
{
    if (config_.himix)
        throw std::invalid_argument("the model is HiMix already");
    std::map<std::string, torch::Tensor> decoder;
    for (auto &[name, tensor] : decoder_.parameters())
        decoder.emplace(name, tensor);
    std::map<std::string, const Linear *> sites;
    for (const LinearSite &site : decoder_.linearSites())
        sites.emplace(site.name, site.linear);
    const auto copy = [&](const std::string &name) {
        const Linear &from = *sites.at(name);
        const torch::Tensor w = from.weight().detach().clone();
        if (w.size(0) != config_.text.kvHeads * config_.text.headDim)
            throw std::invalid_argument(name + " has lost heads: HiMix needs every key and value head");
        return from.bias().defined() ? Linear::dense(w, from.bias().detach().clone()) : Linear::dense(w);
    };
    std::vector<std::string> added;
    for (int64_t l = 0; l < config_.text.layers; ++l) {
        const std::string layer = "model.layers." + std::to_string(l) + ".";
        imageAttention_.push_back({decoder.at(layer + "input_layernorm.weight").detach().clone(),
                                   copy(layer + "self_attn.k_proj"), copy(layer + "self_attn.v_proj")});
        added.push_back(himixNormName(l));
        for (const auto &[name, site] : {std::pair{himixKeyName(l), &imageAttention_.back().k},
                                         {himixValueName(l), &imageAttention_.back().v}})
            for (const auto &named : site->parameters(name))
                added.push_back(named.first);
    }
    config_.himix = true;
    return added;
}

namespace {

// A name of the families' own as transformers ≥ 4.52 stores it in a LlavaForConditionalGeneration.
std::string storedName(const std::string &name)
{
    for (const auto &[from, to] : {std::pair{"vision_model.", "model.vision_tower.vision_model."},
                                   {"vit.", "model.vision_tower."},
                                   {"multi_modal_projector.", "model.multi_modal_projector."},
                                   {"model.", "model.language_model."}})
        if (name.starts_with(from))
            return to + name.substr(std::string_view(from).size());
    return name; // lm_head
}

} // namespace

std::string Llava::hfConfigJson() const
{
    nlohmann::ordered_json config = nlohmann::ordered_json::parse(config_.json);
    config["text_config"] = nlohmann::ordered_json::parse(decoder_.hfConfigJson());
    return config.dump(2);
}

std::vector<std::pair<std::string, std::string>> Llava::folderFiles() const
{
    if (config_.processorJson.empty())
        return {};
    return {{"preprocessor_config.json", config_.processorJson}};
}

std::vector<std::pair<std::string, torch::Tensor>> Llava::checkpointTensors(bool factorized)
{
    NamedTensors all = tower_.storedTensors(factorized);
    appendLinear(all, kLlavaProjectorIn, projectorIn_, factorized);
    appendLinear(all, kLlavaProjectorOut, projectorOut_, factorized);
    for (auto &named : decoder_.checkpointTensors(factorized))
        all.push_back(std::move(named));
    for (size_t l = 0; l < imageAttention_.size(); ++l) {
        all.emplace_back(himixNormName(int64_t(l)), imageAttention_[l].norm);
        appendLinear(all, himixKeyName(int64_t(l)), imageAttention_[l].k, factorized);
        appendLinear(all, himixValueName(int64_t(l)), imageAttention_[l].v, factorized);
    }
    for (auto &[name, tensor] : all)
        name = storedName(name);
    return all;
}

} // namespace sculpt
