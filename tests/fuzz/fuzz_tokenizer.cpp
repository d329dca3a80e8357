// Tokenizers, compiled once per target (SCULPT_FUZZ_TARGET):
//   tokenizer         the input is a tokenizer file in any of the three formats (llama2.c's
//                     tok*.bin, a SentencePiece .model, tokenizer.json), opened by content;
//   tokenizer_config  the input is tokenizer_config.json beside a small valid tokenizer.json.
// A tokenizer that opens is then used: text (fixed samples and the input's own bytes) is
// encoded into ids inside the vocabulary, and ids are decoded.
// SentencePiece files go through sculpt-sentencepiece.so and Debian's libsentencepiece,
// which carry no coverage counters: a crash inside libsentencepiece itself is upstream's.

#include "fuzz_input.h"
#include "runtime/byte_level.h"
#include "runtime/tokenizer.h"

#include <nlohmann/json.hpp>

using namespace sculpt;

static_assert(fuzz::kTarget == "tokenizer" || fuzz::kTarget == "tokenizer_config");

namespace {

void use(const Tokenizer &tokenizer, std::string_view input)
{
    const int32_t vocab = tokenizer.vocabSize();
    fuzz::expect(vocab >= 0, "negative vocabulary size");
    const auto inVocabulary = [&](const std::vector<int32_t> &ids) {
        for (const int32_t id : ids)
            fuzz::expect(id >= 0 && id < vocab, "encode gave an id outside the vocabulary");
    };
    for (const std::string_view text : {std::string_view("Once upon a time, there was a little girl named Lily."),
                                        std::string_view(" 'll 's  \t\n  123 ünïcödé 日本語 😀 <s></s><|endoftext|>"),
                                        std::string_view("\xff\xfe\xc3 \x80\xe2\x96\x81x", 10), std::string_view()}) {
        const auto ids = tokenizer.encode(text, true);
        inVocabulary(ids);
        (void)tokenizer.decode(ids);
    }
    const auto ids = tokenizer.encode(input.substr(0, 512), false);
    inVocabulary(ids);
    (void)tokenizer.decode(ids);
    for (int32_t id = -1; id <= std::min(vocab, 1024); ++id) {
        (void)tokenizer.decode(-1, id);
        (void)tokenizer.decode(tokenizer.bos(), id);
    }
}

// A byte-level tokenizer.json: the 256 byte tokens, a few words with their merges, and the
// added tokens a tokenizer_config.json may name.
std::string smallTokenizerJson()
{
    using json = nlohmann::json;
    json vocab = json::object();
    for (size_t b = 0; b < 256; ++b)
        vocab[byteSymbols()[b]] = b;
    const std::vector<std::string> words{"Ġt", "he", "Ġthe", "<s>", "</s>", "<|endoftext|>"};
    for (size_t i = 0; i < words.size(); ++i)
        vocab[words[i]] = 256 + i;
    json added = json::array();
    for (size_t i = 3; i < words.size(); ++i)
        added.push_back({{"id", 256 + i}, {"content", words[i]}, {"special", true}});
    const json byteLevel{{"type", "ByteLevel"}, {"add_prefix_space", false}};
    const json doc{{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", {"Ġ t", "h e", "Ġt he"}}}},
                   {"added_tokens", added},
                   {"pre_tokenizer", byteLevel},
                   {"decoder", byteLevel}};
    return doc.dump();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    if constexpr (fuzz::kTarget == "tokenizer") {
        const fuzz::MemoryFile input(data, size);
        fuzz::refusing([&] { use(*openTokenizer(input.path()), bytes); });
    } else {
        static const std::string tokenizerPath = [] {
            const std::string path = fuzz::scratchFolder() + "/tokenizer.json";
            fuzz::writeFile(path, smallTokenizerJson());
            return path;
        }();
        fuzz::writeFile(fuzz::scratchFolder() + "/tokenizer_config.json", bytes);
        fuzz::refusing([&] {
            const auto tokenizer = openTokenizer(tokenizerPath);
            fuzz::expect(tokenizer->bos() < tokenizer->vocabSize() && tokenizer->eos() < tokenizer->vocabSize(),
                         "BOS or EOS outside the vocabulary");
            use(*tokenizer, bytes);
        });
    }
    return 0;
}
