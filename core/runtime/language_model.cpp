#include "runtime/language_model.h"

#include "runtime/device.h"
#include "runtime/model_family.h"

#include <stdexcept>

namespace sculpt {
namespace {

std::vector<float> toVector(const torch::Tensor &t)
{
    const torch::Tensor cpu = t.to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
}

} // namespace

struct LanguageModel::Impl {
    std::shared_ptr<const CausalModel> model;

    torch::Tensor tokenTensor(std::span<const int32_t> tokens) const
    {
        for (const int32_t t : tokens)
            if (t < 0 || t >= model->vocabSize())
                throw std::out_of_range("token id " + std::to_string(t) + " is outside the model's vocabulary of " +
                                        std::to_string(model->vocabSize()));
        std::vector<int64_t> ids(tokens.begin(), tokens.end());
        return torch::tensor(ids, torch::kInt64).to(model->device());
    }

    // Throws std::length_error when `tokens` positions do not fit in the context.
    void requireContext(int64_t tokens) const
    {
        if (tokens > model->contextLength())
            throw std::length_error(std::to_string(tokens) + " tokens exceed the model's context of " +
                                    std::to_string(model->contextLength()));
    }

    torch::Tensor logits(std::span<const int32_t> tokens) const
    {
        requireContext(int64_t(tokens.size()));
        return model->step(tokenTensor(tokens));
    }
};

struct LanguageModel::Decoder::State {
    const Impl &model;
    KvCache cache;
};

LanguageModel::LanguageModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LanguageModel::~LanguageModel() = default;

std::unique_ptr<LanguageModel> wrapLanguageModel(std::shared_ptr<const CausalModel> model)
{
    return std::unique_ptr<LanguageModel>(new LanguageModel(std::make_unique<LanguageModel::Impl>(std::move(model))));
}

std::unique_ptr<LanguageModel> LanguageModel::load(const Checkpoint &checkpoint, const std::string &device)
{
    const torch::Device where = parseDevice(device);
    c10::InferenceMode inference;
    return wrapLanguageModel(loadCausalModel(checkpoint, where));
}

int64_t LanguageModel::vocabSize() const { return impl_->model->vocabSize(); }
int64_t LanguageModel::contextLength() const { return impl_->model->contextLength(); }
std::optional<ImagePrompt> LanguageModel::imagePrompt() const { return impl_->model->imagePrompt(); }
std::optional<int64_t> LanguageModel::decoderMacs(const AnswerShape &answer) const
{
    return impl_->model->decoderMacs(answer);
}

std::vector<float> LanguageModel::logits(std::span<const int32_t> tokens) const
{
    c10::InferenceMode inference;
    return toVector(impl_->logits(tokens));
}

std::vector<double> LanguageModel::tokenNll(std::span<const int32_t> tokens) const
{
    if (tokens.size() < 2)
        return {};
    c10::InferenceMode inference;
    const torch::Tensor predicted = impl_->logits(tokens.first(tokens.size() - 1)).log_softmax(-1);
    const torch::Tensor targets = impl_->tokenTensor(tokens.subspan(1)).unsqueeze(1);
    const torch::Tensor nll = -predicted.gather(1, targets).squeeze(1);
    const torch::Tensor cpu = nll.to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
}

LanguageModel::Decoder LanguageModel::decoder() const
{
    c10::InferenceMode inference;
    return Decoder(std::make_unique<Decoder::State>(Decoder::State{*impl_, impl_->model->emptyCache()}));
}

LanguageModel::Decoder::Decoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
LanguageModel::Decoder::Decoder(Decoder &&) noexcept = default;
LanguageModel::Decoder::~Decoder() = default;

int64_t LanguageModel::Decoder::position() const { return state_->cache.length; }

std::vector<float> LanguageModel::Decoder::prompt(std::span<const int32_t> tokens, std::span<const float> pixels)
{
    const CausalModel &model = *state_->model.model;
    if (tokens.empty())
        throw std::invalid_argument("an empty prompt");
    state_->model.requireContext(state_->cache.length + int64_t(tokens.size()));
    torch::Tensor images;
    if (!pixels.empty()) {
        const std::optional<ImagePrompt> format = model.imagePrompt();
        if (!format)
            throw std::invalid_argument("a " + model.family() + " model reads no images");
        const int64_t each = format->pixelsPerImage();
        if (int64_t(pixels.size()) % each != 0)
            throw std::invalid_argument(std::to_string(pixels.size()) + " pixel values are not whole images of " +
                                        std::to_string(each));
        images = torch::from_blob(const_cast<float *>(pixels.data()),
                                  {int64_t(pixels.size()) / each, format->channels, format->size, format->size}, torch::kFloat32)
                     .to(model.device());
    }
    c10::InferenceMode inference;
    const torch::Tensor logits = model.prefill(state_->model.tokenTensor(tokens), images, &state_->cache);
    if (logits.size(0) == 0)
        throw std::invalid_argument("the prompt holds images alone: it needs a token of text (BOS) after them");
    return toVector(logits[-1]);
}

std::vector<float> LanguageModel::Decoder::next(int32_t token)
{
    if (state_->cache.length >= state_->model.model->contextLength())
        throw std::length_error("the model's context of " + std::to_string(state_->model.model->contextLength()) +
                                " tokens is full");
    c10::InferenceMode inference;
    const int32_t one[] = {token};
    return toVector(state_->model.model->step(state_->model.tokenTensor(one), &state_->cache).squeeze(0));
}

} // namespace sculpt
