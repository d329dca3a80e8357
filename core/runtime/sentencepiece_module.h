#pragma once
// The contract between sculpt_runtime and sculpt-sentencepiece.so.
//
// Debian's libsentencepiece carries its own copy of protobuf and exports it. In one symbol
// scope with LibTorch's libprotobuf, one library's initialisers run the other's protobuf
// code and the process crashes at load. So SentencePiece lives in a small module that is
// loaded with a scope of its own (RTLD_LOCAL | RTLD_DEEPBIND) the first time a .model file
// is opened, and hands back a Tokenizer whose code stays inside it.

#include "runtime/tokenizer.h"

#include <cstddef>

namespace sculpt {

inline constexpr const char *kSentencePieceModuleFile = "sculpt-sentencepiece.so";
inline constexpr const char *kSentencePieceEntryPoint = "sculpt_sentencepiece_tokenizer";

} // namespace sculpt

// A tokenizer over the serialized SentencePiece model `data`, owned by the caller, or null
// when the bytes are not one.
extern "C" sculpt::Tokenizer *sculpt_sentencepiece_tokenizer(const char *data, size_t size);
