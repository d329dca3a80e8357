#pragma once
// A causal language model ready to run: the torch-free face of the runtime, for the CLI, the
// window and the evaluation code. LLaMA-family, GPT-2 and LLaVA-style checkpoints so far.

#include "runtime/families/llama/decoder_cost.h"
#include "runtime/image_prompt.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

class LanguageModel {
public:
    // Reads the config and copies the weights out of `checkpoint` as float32 onto `device`
    // ("cpu", "cuda", "cuda:1"…). Throws FileError for a model it cannot run or whose weights
    // disagree with its config, std::invalid_argument for an unknown device.
    static std::unique_ptr<LanguageModel> load(const Checkpoint &checkpoint, const std::string &device = "cpu");
    ~LanguageModel();

    int64_t vocabSize() const;
    int64_t contextLength() const;
    // How the model takes images in a prompt; nothing for a text-only model.
    std::optional<ImagePrompt> imagePrompt() const;
    // The decoder's multiply-adds for one answer (decoder_cost.h); nothing for a family
    // without a count.
    std::optional<int64_t> decoderMacs(const AnswerShape &answer) const;

    // One causal pass over `tokens` (at most contextLength()): the logits at every position,
    // row-major [tokens.size(), vocabSize()]. Token ids outside the vocabulary throw
    // std::out_of_range, a sequence longer than the context std::length_error.
    std::vector<float> logits(std::span<const int32_t> tokens) const;
    // −log p(tokens[i] | tokens[0 … i−1]) for i = 1 … n−1, from one pass.
    std::vector<double> tokenNll(std::span<const int32_t> tokens) const;

    // Token-by-token decoding over a key/value cache, so each step costs one position.
    // It refers to the model, which must outlive it.
    class Decoder {
    public:
        Decoder(Decoder &&) noexcept;
        ~Decoder();
        // Feeds `tokens` (non-empty) at the next positions, at once, and returns the logits
        // [vocabSize()] for the position after the last. The prompt's images go with it:
        // `pixels` holds each image of imagePrompt()'s tokens in `tokens`, in order,
        // imagePrompt()->pixelsPerImage() floats each. std::length_error when the tokens
        // overflow the context; std::invalid_argument for pixels the tokens or the model do not
        // take (a HiMix model takes images only first).
        std::vector<float> prompt(std::span<const int32_t> tokens, std::span<const float> pixels = {});
        // Feeds `token` at the next position and returns the logits [vocabSize()] for the
        // position after it. std::length_error once the context is full.
        std::vector<float> next(int32_t token);
        int64_t position() const; // tokens fed so far

    private:
        friend class LanguageModel;
        struct State;
        explicit Decoder(std::unique_ptr<State> state);
        std::unique_ptr<State> state_;
    };
    Decoder decoder() const;

private:
    struct Impl;
    friend std::unique_ptr<LanguageModel> wrapLanguageModel(std::shared_ptr<const class CausalModel> model);
    explicit LanguageModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The torch-free face over a model built in torch (a compressed copy, a freshly trained one).
std::unique_ptr<LanguageModel> wrapLanguageModel(std::shared_ptr<const class CausalModel> model);

} // namespace sculpt
