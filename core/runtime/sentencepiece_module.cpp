#include "io/error.h"
#include "runtime/own_module.h"
#include "runtime/sentencepiece_module.h"

namespace sculpt {
namespace {

// The module's entry point; null with `why` set when it cannot be loaded.
decltype(&sculpt_sentencepiece_tokenizer) entryPoint(std::string &why)
{
    return reinterpret_cast<decltype(&sculpt_sentencepiece_tokenizer)>(
        ownModuleSymbol(kSentencePieceModuleFile, SCULPT_SENTENCEPIECE_BUILD_MODULE, kSentencePieceEntryPoint,
                        "reads SentencePiece models", why));
}

} // namespace

std::unique_ptr<Tokenizer> readSentencePieceTokenizer(const std::string &path, std::span<const std::byte> bytes)
{
    // A serialized ModelProto starts with its pieces, field 1 of wire type 2: byte 0x0A.
    // Anything else is not a SentencePiece model, and needs no module to say so.
    if (bytes.empty() || bytes[0] != std::byte{0x0A})
        return nullptr;
    std::string why;
    const auto entry = entryPoint(why);
    if (!entry)
        throw FileError(path, why);
    return std::unique_ptr<Tokenizer>(entry(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
}

} // namespace sculpt
