// SentencePiece .model files through Debian's libsentencepiece: the tokenizer LLaMA,
// Mistral and llama2.c's custom vocabularies were trained with. This file is the whole of
// sculpt-sentencepiece.so (see sentencepiece_module.h for why it is a module of its own).

#include "runtime/sentencepiece_module.h"

#include <sentencepiece_processor.h>

namespace sculpt {
namespace {

class SentencePieceTokenizer final : public Tokenizer {
public:
    explicit SentencePieceTokenizer(std::unique_ptr<sentencepiece::SentencePieceProcessor> processor)
        : processor_(std::move(processor)) {}

    int32_t vocabSize() const override { return processor_->GetPieceSize(); }
    int32_t bos() const override { return processor_->bos_id(); }
    int32_t eos() const override { return processor_->eos_id(); }

    std::vector<int32_t> encode(std::string_view text, bool bos) const override
    {
        std::vector<int> ids;
        // Encode fails only on an unloaded model, and this one is loaded.
        processor_->Encode(absl::string_view(text.data(), text.size()), &ids).IgnoreError();
        std::vector<int32_t> tokens;
        if (bos && processor_->bos_id() >= 0)
            tokens.push_back(processor_->bos_id());
        tokens.insert(tokens.end(), ids.begin(), ids.end());
        return tokens;
    }

    std::string decode(int32_t previous, int32_t token) const override
    {
        if (token < 0 || token >= vocabSize() || processor_->IsControl(token))
            return {};
        const std::string piece = processor_->IdToPiece(token);
        if (processor_->IsByte(token)) // spelled <0xHH>
            return std::string(1, static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16)));
        // U+2581 "▁" marks a word-start space.
        std::string text;
        for (size_t i = 0; i < piece.size(); ++i) {
            if (piece.compare(i, 3, "\xE2\x96\x81") == 0) {
                text += ' ';
                i += 2;
            } else {
                text += piece[i];
            }
        }
        if (previous == bos() && previous >= 0 && text.starts_with(' '))
            text.erase(0, 1);
        return text;
    }

private:
    std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
};

} // namespace
} // namespace sculpt

extern "C" __attribute__((visibility("default"))) sculpt::Tokenizer *sculpt_sentencepiece_tokenizer(const char *data,
                                                                                                  size_t size)
{
    try {
        auto processor = std::make_unique<sentencepiece::SentencePieceProcessor>();
        if (!processor->LoadFromSerializedProto(absl::string_view(data, size)).ok())
            return nullptr;
        return new sculpt::SentencePieceTokenizer(std::move(processor));
    } catch (const std::exception &) { // nothing may unwind into the caller's frames
        return nullptr;
    }
}
