#include "runtime/tokenizer.h"

#include "io/error.h"
#include "io/mapped_file.h"

#include <filesystem>

namespace sculpt {

std::string Tokenizer::decode(std::span<const int32_t> tokens) const
{
    std::string text;
    int32_t previous = -1;
    for (const int32_t token : tokens) {
        text += decode(previous, token);
        previous = token;
    }
    return text;
}

std::unique_ptr<Tokenizer> openTokenizer(const std::string &path)
{
    // The largest real vocabularies (256k pieces) take a few MB in the binary formats and
    // some tens of MB as tokenizer.json.
    constexpr uint64_t kMaxBytes = 256ull << 20;
    const auto file = MappedFile::open(path);
    if (file->size() > kMaxBytes)
        throw FileError(path, "larger than 256 MB: not a tokenizer");
    const auto bytes = file->slice(0, file->size(), "tokenizer");
    // The llama2.c format is checked first: its parse is exact (the entries must end where
    // the file does), so a SentencePiece protobuf is never taken for one.
    if (auto tokenizer = readLlama2cTokenizer(path, bytes))
        return tokenizer;
    // Before SentencePiece, whose module is loaded only when a .model file needs it.
    if (auto tokenizer = readHfTokenizer(path, bytes))
        return tokenizer;
    if (auto tokenizer = readSentencePieceTokenizer(path, bytes))
        return tokenizer;
    throw FileError(path, "neither a llama2.c tokenizer (tok*.bin), a SentencePiece model nor a tokenizer.json");
}

std::string findTokenizer(const std::string &modelPath, int64_t vocabSize)
{
    namespace fs = std::filesystem;
    const fs::path model(modelPath);
    const fs::path folder = fs::is_directory(model) ? model : model.parent_path();
    for (const std::string &name :
         {std::string("tokenizer.model"), std::string("tokenizer.json"), "tok" + std::to_string(vocabSize) + ".bin"}) {
        const fs::path candidate = folder.empty() ? fs::path(name) : folder / name;
        if (fs::is_regular_file(candidate))
            return candidate.string();
    }
    return {};
}

} // namespace sculpt
