#pragma once
// Trains a SentencePiece tokenizer. Debian's libsentencepiece_train carries libsentencepiece's
// copy of protobuf, which crashes LibTorch's when both share a symbol scope (see
// sentencepiece_module.h), so the trainer lives in a module of its own,
// sculpt-sentencepiece-train.so, loaded the first time it is needed. Torch-free.

#include <cstddef>
#include <span>
#include <string>

namespace sculpt {

// A byte-fallback BPE model of `vocabSize` pieces (unk 0, BOS 1, EOS 2, the 256 byte pieces,
// then merges) over `sentences`, the way LLaMA's tokenizer was made: digits split, NFKC with
// whitespace collapsed. Deterministic: every sentence is used, in order, on one thread. Returns
// the serialized model, the bytes of a .model file. Throws std::runtime_error when the module
// cannot be loaded or SentencePiece refuses the input (too small a vocabulary for the text…).
std::string trainSentencePiece(std::span<const std::string> sentences, int vocabSize);

} // namespace sculpt

// The module's entry point: what trainSentencePiece hands across, as plain C.
struct SculptSentencePieceTraining {
    const char *const *sentences;
    const size_t *sizes;
    size_t count;
    const char *options; // SentencePiece's own flags: "--vocab_size=1024 --model_type=bpe …"
    void *context;       // passed back to the two callbacks
    void (*model)(void *context, const char *bytes, size_t size); // the serialized model
    void (*error)(void *context, const char *message);           // or why there is none
};

extern "C" void sculpt_sentencepiece_train(const SculptSentencePieceTraining *training);
