#pragma once
// Text to token ids and back, the way a language model was trained to read it. Three formats
// so far: llama2.c's tok*.bin, SentencePiece .model files and Hugging Face tokenizer.json
// files with a byte-level BPE model (GPT-2's).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sculpt {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    virtual int32_t vocabSize() const = 0;
    virtual int32_t bos() const = 0; // -1 when the vocabulary has none
    virtual int32_t eos() const = 0; // -1 when the vocabulary has none

    // `text` (UTF-8, or any bytes: what no piece covers falls back to byte tokens) as ids,
    // after a BOS when `bos` is set.
    virtual std::vector<int32_t> encode(std::string_view text, bool bos) const = 0;

    // The bytes `token` stands for when it follows `previous`: the word-start space right
    // after BOS is dropped (SentencePiece's dummy prefix), a byte token is its raw byte, BOS,
    // EOS and other special tokens are empty, and so is an id outside the vocabulary (a
    // model's vocabulary may be padded past its tokenizer's).
    virtual std::string decode(int32_t previous, int32_t token) const = 0;

    // A whole sequence, each token decoded after the one before it.
    std::string decode(std::span<const int32_t> tokens) const;
};

// Opens a tokenizer file, recognised by its content. Throws FileError when it is in none of
// the formats or is malformed.
std::unique_ptr<Tokenizer> openTokenizer(const std::string &path);

// The tokenizer that came with a model: tokenizer.model in the model's folder (or beside
// the model file), else tokenizer.json, else tok<vocabSize>.bin there. Empty when there is
// none of them.
std::string findTokenizer(const std::string &modelPath, int64_t vocabSize);

// The formats openTokenizer tries. Each returns null when `bytes` are not in its format and
// throws FileError (naming `path`) when they are but cannot be used.
std::unique_ptr<Tokenizer> readLlama2cTokenizer(const std::string &path, std::span<const std::byte> bytes);
std::unique_ptr<Tokenizer> readSentencePieceTokenizer(const std::string &path, std::span<const std::byte> bytes);
// tokenizer.json; BOS and EOS come from tokenizer_config.json beside `path` when it names them.
std::unique_ptr<Tokenizer> readHfTokenizer(const std::string &path, std::span<const std::byte> bytes);

} // namespace sculpt
