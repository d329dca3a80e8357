// llama2.c's tokenizer file (tok*.bin, written by its tokenizer.py) and its encoder, which
// must give exactly the ids run.c's encode() gives: the model was evaluated on those.

#include "runtime/tokenizer.h"

#include "io/error.h"
#include "runtime/pair_merging.h"

#include <cstring>
#include <optional>
#include <unordered_map>

namespace sculpt {
namespace {

// Fixed by llama2.c's export: <unk>, BOS, EOS, then the 256 byte tokens <0x00>…<0xFF>.
constexpr int32_t kBos = 1;
constexpr int32_t kEos = 2;
constexpr int32_t kFirstByte = 3;
// run.c starts its search for the best merge below this score, so no worse score ever merges.
constexpr float kNoMerge = -1e10f;

// The byte a piece spelled <0xHH> stands for.
std::optional<unsigned char> bytePiece(std::string_view piece)
{
    if (piece.size() != 6 || !piece.starts_with("<0x") || piece[5] != '>')
        return std::nullopt;
    unsigned value = 0;
    for (const char c : piece.substr(3, 2)) {
        const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0)
            return std::nullopt;
        value = value * 16 + unsigned(digit);
    }
    return static_cast<unsigned char>(value);
}

class Llama2cTokenizer final : public Tokenizer {
public:
    Llama2cTokenizer(std::vector<std::string> pieces, std::vector<float> scores)
        : pieces_(std::move(pieces)), scores_(std::move(scores))
    {
        // run.c binary-searches a sorted copy; on a duplicate piece the first id wins here.
        for (size_t i = 0; i < pieces_.size(); ++i)
            ids_.emplace(pieces_[i], static_cast<int32_t>(i));
    }

    int32_t vocabSize() const override { return static_cast<int32_t>(pieces_.size()); }
    int32_t bos() const override { return kBos; }
    int32_t eos() const override { return kEos; }

    std::vector<int32_t> encode(std::string_view text, bool bos) const override
    {
        std::vector<int32_t> tokens;
        if (bos)
            tokens.push_back(kBos);
        // SentencePiece's dummy prefix: the first word starts with a space like every other.
        if (!text.empty())
            appendPiece(tokens, " ");
        for (size_t i = 0; i < text.size();) {
            size_t end = i + 1; // one UTF-8 code point: a lead byte and up to 3 continuation bytes
            while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80 && end - i < 4)
                ++end;
            appendPiece(tokens, text.substr(i, end - i));
            i = end;
        }
        return merge(std::move(tokens));
    }

    std::string decode(int32_t previous, int32_t token) const override
    {
        if (token < 0 || token >= vocabSize() || token == kBos || token == kEos)
            return {};
        std::string_view piece = pieces_[static_cast<size_t>(token)];
        if (previous == kBos && piece.starts_with(' '))
            piece.remove_prefix(1);
        if (const auto byte = bytePiece(piece))
            return std::string(1, static_cast<char>(*byte));
        return std::string(piece);
    }

private:
    // The piece's id, or its bytes as byte tokens when the vocabulary lacks it.
    void appendPiece(std::vector<int32_t> &tokens, std::string_view piece) const
    {
        if (const auto it = ids_.find(piece); it != ids_.end()) {
            tokens.push_back(it->second);
            return;
        }
        for (const char c : piece)
            tokens.push_back(kFirstByte + static_cast<unsigned char>(c));
    }

    // run.c merges, while it can, the adjacent pair whose concatenation is the
    // highest-scoring piece, the leftmost on ties.
    std::vector<int32_t> merge(const std::vector<int32_t> &tokens) const
    {
        return mergePairs(tokens, [&](int32_t left, int32_t right) -> std::optional<PairMerge> {
            const auto it = ids_.find(pieces_[size_t(left)] + pieces_[size_t(right)]);
            if (it == ids_.end() || scores_[size_t(it->second)] <= kNoMerge)
                return std::nullopt;
            return PairMerge{scores_[size_t(it->second)], it->second};
        });
    }

    std::vector<std::string> pieces_;
    std::vector<float> scores_;
    std::unordered_map<std::string_view, int32_t> ids_; // views into pieces_, which never changes
};

template <typename T> bool take(std::span<const std::byte> bytes, size_t &at, T &value)
{
    if (bytes.size() - at < sizeof(T))
        return false;
    std::memcpy(&value, bytes.data() + at, sizeof(T));
    at += sizeof(T);
    return true;
}

} // namespace

std::unique_ptr<Tokenizer> readLlama2cTokenizer(const std::string &path, std::span<const std::byte> bytes)
{
    // int32 max_token_length, then per token: float32 score, int32 length, the bytes. There
    // is no count: the entries must end exactly where the file does.
    size_t at = 0;
    int32_t maxLength = 0;
    if (!take(bytes, at, maxLength) || maxLength <= 0 || maxLength > (1 << 16))
        return nullptr;
    std::vector<std::string> pieces;
    std::vector<float> scores;
    while (at < bytes.size()) {
        float score = 0;
        int32_t length = 0;
        const size_t entry = at;
        const bool cut = !take(bytes, at, score) || !take(bytes, at, length) ||
                         (length >= 0 && length <= maxLength && bytes.size() - at < size_t(length));
        // Whole entries up to a cut one at the very end: a file that ends too early, not
        // another format.
        if (cut && !pieces.empty())
            throw FileError(path, "llama2.c tokenizer truncated at byte " + std::to_string(bytes.size()) + ": entry " +
                                      std::to_string(pieces.size()) + " (from byte " + std::to_string(entry) +
                                      ") is cut short");
        if (cut || length < 0 || length > maxLength)
            return nullptr;
        pieces.emplace_back(reinterpret_cast<const char *>(bytes.data() + at), size_t(length));
        scores.push_back(score);
        at += size_t(length);
    }
    if (pieces.empty())
        return nullptr;
    for (int b = 0; b < 256; ++b)
        if (pieces.size() <= size_t(kFirstByte + b) || bytePiece(pieces[size_t(kFirstByte + b)]) != b)
            throw FileError(path, "llama2.c tokenizer without the byte tokens <0x00>…<0xFF> at ids 3–258 that its "
                                  "byte fallback needs");
    return std::make_unique<Llama2cTokenizer>(std::move(pieces), std::move(scores));
}

} // namespace sculpt
