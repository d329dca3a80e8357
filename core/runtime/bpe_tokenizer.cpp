// Hugging Face tokenizer.json files with a byte-level BPE model: GPT-2's tokenizer and the
// ones made like it. Encoding follows the tokenizers library: added tokens are cut out of the
// text first, each remaining piece is split into words by GPT-2's regex, each word's bytes
// are spelled with byteSymbols() and merged pair by pair, the lowest-ranked merge first.

#include "runtime/tokenizer.h"

#include "io/error.h"
#include "io/json_text.h"
#include "io/mapped_file.h"
#include "runtime/byte_level.h"
#include "runtime/pair_merging.h"
#include "runtime/unicode_classes.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

namespace sculpt {
namespace {

using json = nlohmann::json;

struct AddedToken {
    std::string content;
    int32_t id;
    bool special, lstrip, rstrip, singleWord;
};

// A token the text spells out literally, at bytes [start, end) once lstrip and rstrip took
// the spaces around it.
struct AddedMatch {
    size_t start, end;
    int32_t id;
};

bool isSpaceAt(std::string_view text, size_t at, size_t &length)
{
    const CodePoint c = decodeUtf8(text, at);
    length = c.length;
    return c.value && charClass(*c.value) == CharClass::Space;
}

// Regex's \w at the edge of a word: letters, numbers and '_' (Rust's \w also counts
// combining marks).
bool isWordCharacter(const CodePoint &c)
{
    return c.value && (*c.value == '_' || charClass(*c.value) == CharClass::Letter ||
                       charClass(*c.value) == CharClass::Number);
}

bool endsWithWord(std::string_view text)
{
    size_t start = text.size();
    while (start > 0 && (static_cast<unsigned char>(text[start - 1]) & 0xC0) == 0x80 && text.size() - start < 3)
        --start;
    return start > 0 && isWordCharacter(decodeUtf8(text, start - 1));
}

class BpeTokenizer final : public Tokenizer {
public:
    struct Options {
        bool addPrefixSpace = false; // a space before text that does not start with one
        bool useRegex = true;        // GPT-2's word split; without it the text is one word
        bool ignoreMerges = false;   // a word that is a token is taken whole
    };

    BpeTokenizer(std::vector<std::string> symbols, std::vector<AddedToken> added, Options options)
        : symbols_(std::move(symbols)), added_(std::move(added)), options_(options)
    {
        for (size_t id = 0; id < symbols_.size(); ++id)
            if (!symbols_[id].empty())
                ids_.emplace(symbols_[id], int32_t(id));
        for (size_t i = 0; i < added_.size(); ++i)
            addedByFirstByte_[static_cast<unsigned char>(added_[i].content[0])].push_back(i);
        // Longest first: the tokenizers library matches leftmost-longest.
        for (auto &candidates : addedByFirstByte_)
            std::stable_sort(candidates.begin(), candidates.end(),
                             [&](size_t a, size_t b) { return added_[a].content.size() > added_[b].content.size(); });
        decoded_.resize(symbols_.size());
        for (size_t id = 0; id < symbols_.size(); ++id)
            decoded_[id] = bytesOf(symbols_[id]);
        for (const AddedToken &t : added_)
            if (size_t(t.id) >= decoded_.size())
                decoded_.resize(size_t(t.id) + 1);
        for (const AddedToken &t : added_)
            decoded_[size_t(t.id)] = t.special ? std::string() : t.content;
    }

    // Throws FileError (naming `path`) for a merge whose parts or result are not tokens, or a
    // vocabulary without a token for every byte.
    void setMerges(const std::string &path, const std::vector<std::pair<std::string, std::string>> &merges)
    {
        for (size_t b = 0; b < 256; ++b) {
            const auto it = ids_.find(byteSymbols()[b]);
            if (it == ids_.end()) {
                std::ostringstream why;
                why << "tokenizer.json: no token for byte 0x" << std::hex << b << ": not a byte-level vocabulary";
                throw FileError(path, why.str());
            }
            byteIds_[b] = it->second;
        }
        for (size_t rank = 0; rank < merges.size(); ++rank) {
            const auto &[left, right] = merges[rank];
            const auto l = ids_.find(left), r = ids_.find(right), m = ids_.find(left + right);
            if (l == ids_.end() || r == ids_.end() || m == ids_.end())
                throw FileError(path, "tokenizer.json: merge " + std::to_string(rank) + " (\"" + left + " " + right +
                                          "\") joins or makes a token that is not in the vocabulary");
            // A pair listed twice ranks by its last place, as in the map encoder.py and the
            // tokenizers library build from the list.
            merges_.insert_or_assign(pairKey(l->second, r->second), Merge{int32_t(rank), m->second});
        }
    }

    void setSpecialTokens(int32_t bos, int32_t eos) { bos_ = bos, eos_ = eos; }

    // The id of the token spelled `content` (an added token's text, else a vocabulary entry), or -1.
    int32_t idOf(std::string_view content) const
    {
        for (const AddedToken &t : added_)
            if (t.content == content)
                return t.id;
        const auto it = ids_.find(content);
        return it == ids_.end() ? -1 : it->second;
    }

    int32_t vocabSize() const override { return int32_t(decoded_.size()); }
    int32_t bos() const override { return bos_; }
    int32_t eos() const override { return eos_; }

    std::vector<int32_t> encode(std::string_view text, bool bos) const override
    {
        std::vector<int32_t> tokens;
        if (bos && bos_ >= 0)
            tokens.push_back(bos_);
        size_t at = 0;
        while (at < text.size()) {
            const std::optional<AddedMatch> match = findAdded(text, at);
            const size_t end = match ? match->start : text.size();
            if (end > at)
                encodePiece(text.substr(at, end - at), tokens);
            if (!match)
                break;
            tokens.push_back(match->id);
            at = match->end;
        }
        return tokens;
    }

    std::string decode(int32_t /*previous*/, int32_t token) const override
    {
        if (token < 0 || token >= vocabSize() || token == bos_ || token == eos_)
            return {};
        return decoded_[size_t(token)];
    }

private:
    struct Merge {
        int32_t rank;
        int32_t merged;
    };
    static uint64_t pairKey(int32_t left, int32_t right) { return uint64_t(uint32_t(left)) << 32 | uint32_t(right); }

    // The bytes a vocabulary entry spells; a character outside byteSymbols() stands for its
    // own UTF-8.
    static std::string bytesOf(std::string_view symbol)
    {
        std::string bytes;
        for (size_t at = 0; at < symbol.size();) {
            const CodePoint c = decodeUtf8(symbol, at);
            const auto byte = c.value ? symbolByte(*c.value) : std::nullopt;
            if (byte)
                bytes += char(*byte);
            else
                bytes += symbol.substr(at, c.length);
            at += c.length;
        }
        return bytes;
    }

    // The first added token in text[from…], leftmost and then longest, skipping a
    // single-word token that touches a word.
    std::optional<AddedMatch> findAdded(std::string_view text, size_t from) const
    {
        if (added_.empty())
            return std::nullopt;
        for (size_t at = from; at < text.size(); ++at) {
            for (const size_t i : addedByFirstByte_[static_cast<unsigned char>(text[at])]) {
                const AddedToken &t = added_[i];
                if (text.compare(at, t.content.size(), t.content) != 0)
                    continue;
                size_t start = at, end = at + t.content.size();
                const bool wordAfter = end < text.size() && isWordCharacter(decodeUtf8(text, end));
                if (t.singleWord && (endsWithWord(text.substr(0, start)) || wordAfter)) {
                    at = end - 1; // as the library's match iterator does, go on after this match
                    break;
                }
                if (t.lstrip)
                    while (start > from) {
                        size_t back = start - 1, length = 0;
                        while (back > from && (static_cast<unsigned char>(text[back]) & 0xC0) == 0x80)
                            --back;
                        if (!isSpaceAt(text, back, length))
                            break;
                        start = back;
                    }
                if (t.rstrip)
                    for (size_t length = 0; end < text.size() && isSpaceAt(text, end, length);)
                        end += length;
                return AddedMatch{start, end, t.id};
            }
        }
        return std::nullopt;
    }

    void encodePiece(std::string_view piece, std::vector<int32_t> &tokens) const
    {
        std::string prefixed;
        if (options_.addPrefixSpace && !piece.starts_with(' ')) {
            prefixed = " " + std::string(piece);
            piece = prefixed;
        }
        if (!options_.useRegex) {
            encodeWord(piece, tokens);
            return;
        }
        for (const std::string_view word : splitGpt2Words(piece))
            encodeWord(word, tokens);
    }

    // The merges applied lowest rank first (leftmost on ties), kept in a heap; entries that a
    // merge made stale are skipped as they surface.
    void encodeWord(std::string_view word, std::vector<int32_t> &tokens) const
    {
        if (options_.ignoreMerges) {
            std::string spelled;
            for (const char c : word)
                spelled += byteSymbols()[static_cast<unsigned char>(c)];
            if (const auto it = ids_.find(spelled); it != ids_.end()) {
                tokens.push_back(it->second);
                return;
            }
        }
        std::vector<int32_t> bytes;
        for (const char c : word)
            bytes.push_back(byteIds_[static_cast<unsigned char>(c)]);
        // Lower ranks merge first.
        const std::vector<int32_t> merged = mergePairs(bytes, [&](int32_t left, int32_t right) -> std::optional<PairMerge> {
            if (const auto it = merges_.find(pairKey(left, right)); it != merges_.end())
                return PairMerge{-double(it->second.rank), it->second.merged};
            return std::nullopt;
        });
        tokens.insert(tokens.end(), merged.begin(), merged.end());
    }

    std::vector<std::string> symbols_; // by id: the vocabulary entry, empty for an unused id
    std::unordered_map<std::string_view, int32_t> ids_; // views into symbols_, which never changes
    std::vector<std::string> decoded_;                  // by id: the bytes the token stands for
    std::vector<AddedToken> added_;
    std::array<std::vector<size_t>, 256> addedByFirstByte_;
    std::array<int32_t, 256> byteIds_{};
    std::unordered_map<uint64_t, Merge> merges_;
    Options options_;
    int32_t bos_ = -1, eos_ = -1;
};

// Reads the JSON of one file with messages that name it.
class Reader {
public:
    explicit Reader(const std::string &path) : path_(path) {}

    [[noreturn]] void fail(const std::string &why) const { throw FileError(path_, "tokenizer.json: " + why); }

    // Each member is named in messages as `where` + its key ("model.vocab").
    const json &object(const json &parent, const char *key, const std::string &where) const
    {
        if (!parent.contains(key) || !parent[key].is_object())
            fail(where + key + " is missing or not an object");
        return parent[key];
    }
    bool flag(const json &parent, const char *key, bool otherwise, const std::string &where) const
    {
        if (!parent.contains(key) || parent[key].is_null())
            return otherwise;
        if (!parent[key].is_boolean())
            fail(where + key + " is not true or false");
        return parent[key].get<bool>();
    }
    // A string member, "" when absent or null.
    std::string text(const json &parent, const char *key, const std::string &where) const
    {
        if (!parent.contains(key) || parent[key].is_null())
            return {};
        if (!parent[key].is_string())
            fail(where + key + " is not a string");
        return parent[key].get<std::string>();
    }
    // The "type" of a top-level component, "" when the component is null or absent.
    std::string type(const json &parent, const char *key) const
    {
        if (!parent.contains(key) || parent[key].is_null())
            return {};
        return text(object(parent, key, ""), "type", std::string(key) + ".");
    }

private:
    const std::string &path_;
};

constexpr int32_t kMaxId = 1 << 24;

// The ids a tokenizer.json may use. The tokenizer's tables are as long as its largest id, and
// a real vocabulary numbers its tokens from 0 with few gaps (added tokens after it, a little
// padding): an id past twice the tokens the file lists is refused before it costs memory the
// file does not pay for (a 130-byte file asking for id 2^24 - 1 took 1.2 GB).
int64_t idLimit(const json &doc, const json &model)
{
    size_t listed = 0;
    if (model.contains("vocab") && model["vocab"].is_object())
        listed += model["vocab"].size();
    if (doc.contains("added_tokens") && doc["added_tokens"].is_array())
        listed += doc["added_tokens"].size();
    return std::min<int64_t>(kMaxId, 2 * int64_t(listed) + 1024);
}

int32_t tokenId(const Reader &r, const json &value, const std::string &what, int64_t limit)
{
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() >= kMaxId)
        r.fail(what + " has an id that is not an integer from 0 to 2^24");
    if (value.get<int64_t>() >= limit)
        r.fail(what + " has id " + std::to_string(value.get<int64_t>()) +
               ", too far past the tokens the file lists for a vocabulary (ids below " + std::to_string(limit) + ")");
    return int32_t(value.get<int64_t>());
}

std::vector<std::pair<std::string, std::string>> readMerges(const Reader &r, const json &model)
{
    if (!model.contains("merges") || !model["merges"].is_array())
        r.fail("model.merges is missing or not a list");
    std::vector<std::pair<std::string, std::string>> merges;
    merges.reserve(model["merges"].size());
    for (const json &m : model["merges"]) {
        // "left right", or ["left", "right"] since tokenizers 0.20.
        if (m.is_string()) {
            const std::string s = m.get<std::string>();
            const size_t space = s.find(' ');
            if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                r.fail("merge " + std::to_string(merges.size()) + " (\"" + s +
                       "\") is not two tokens split by one space");
            merges.emplace_back(s.substr(0, space), s.substr(space + 1));
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        } else {
            r.fail("merge " + std::to_string(merges.size()) + " is neither \"left right\" nor [\"left\", \"right\"]");
        }
    }
    return merges;
}

// The BPE options that change the result, refused unless they are byte-level BPE's.
void checkModel(const Reader &r, const json &model)
{
    if (const std::string type = r.text(model, "type", "model."); !type.empty() && type != "BPE")
        r.fail("model type '" + type + "' is not BPE: only byte-level BPE tokenizer.json files are read");
    if (model.contains("dropout") && !model["dropout"].is_null() &&
        !(model["dropout"].is_number() && model["dropout"].get<double>() == 0))
        r.fail("BPE dropout is for training: with it the same text does not encode the same way twice");
    for (const char *key : {"continuing_subword_prefix", "end_of_word_suffix"})
        if (!r.text(model, key, "model.").empty())
            r.fail(std::string("model.") + key + " is set: not a byte-level BPE");
}

std::vector<std::string> readVocabulary(const Reader &r, const json &model, int64_t limit)
{
    std::vector<std::string> symbols;
    for (const auto &[symbol, value] : r.object(model, "vocab", "model.").items()) {
        const int32_t id = tokenId(r, value, "vocabulary entry \"" + symbol + "\"", limit);
        if (symbol.empty())
            r.fail("the vocabulary has an empty token");
        if (size_t(id) >= symbols.size())
            symbols.resize(size_t(id) + 1);
        if (!symbols[size_t(id)].empty())
            r.fail("\"" + symbols[size_t(id)] + "\" and \"" + symbol + "\" share id " + std::to_string(id));
        symbols[size_t(id)] = symbol;
    }
    return symbols;
}

std::vector<AddedToken> readAddedTokens(const Reader &r, const json &doc, int64_t limit)
{
    std::vector<AddedToken> added;
    if (!doc.contains("added_tokens") || doc["added_tokens"].is_null())
        return added;
    if (!doc["added_tokens"].is_array())
        r.fail("added_tokens is not a list");
    for (const json &t : doc["added_tokens"]) {
        if (!t.is_object() || !t.contains("id") || r.text(t, "content", "added token ").empty())
            r.fail("an added token without an id or content");
        const std::string content = r.text(t, "content", "added token ");
        added.push_back({content, tokenId(r, t["id"], "added token \"" + content + "\"", limit),
                         r.flag(t, "special", false, "added token "), r.flag(t, "lstrip", false, "added token "),
                         r.flag(t, "rstrip", false, "added token "), r.flag(t, "single_word", false, "added token ")});
    }
    return added;
}

// A token named in tokenizer_config.json: "<s>" or {"content": "<s>", …}; empty for null.
std::string configuredToken(const std::string &path, const json &config, const char *key)
{
    const json &value = config[key];
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_object() && value.contains("content") && value["content"].is_string())
        return value["content"].get<std::string>();
    if (!value.is_null())
        throw FileError(path, std::string(key) + " is neither a token nor {\"content\": token}");
    return {};
}

// BOS and EOS are not in tokenizer.json: tokenizer_config.json beside it names them, and
// where it does not (GPT-2's names neither) the GPT-2 family's <|endoftext|> is both.
void findSpecialTokens(const std::string &path, BpeTokenizer &tokenizer)
{
    namespace fs = std::filesystem;
    const fs::path configPath = fs::path(path).parent_path() / "tokenizer_config.json";
    json config = json::object();
    if (fs::exists(configPath)) {
        const auto file = MappedFile::open(configPath.string());
        config = parseJson(std::string_view(reinterpret_cast<const char *>(file->data()), file->size()),
                           configPath.string(), "tokenizer_config.json", {.values = 1'000'000, .depth = 32});
        if (!config.is_object())
            throw FileError(configPath.string(), "not a JSON object");
    }
    const auto find = [&](const char *key) {
        if (!config.contains(key))
            return tokenizer.idOf("<|endoftext|>");
        const std::string content = configuredToken(configPath.string(), config, key);
        return content.empty() ? -1 : tokenizer.idOf(content);
    };
    tokenizer.setSpecialTokens(find("bos_token"), find("eos_token"));
}

} // namespace

std::unique_ptr<Tokenizer> readHfTokenizer(const std::string &path, std::span<const std::byte> bytes)
{
    const std::string_view text(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || text[first] != '{')
        return nullptr;
    // The largest vocabularies (256k pieces with their merges) are a few million values.
    const json doc = parseJson(text, path, "tokenizer.json", {.values = 8'000'000, .depth = 64});
    const Reader r(path);
    if (!doc.contains("model"))
        r.fail("no tokenizer model in this JSON file");
    const json &model = r.object(doc, "model", "");
    checkModel(r, model);
    if (const std::string type = r.type(doc, "normalizer"); !type.empty())
        r.fail("normalizer '" + type + "' is not supported: only GPT-2 style byte-level BPE is read");
    for (const char *component : {"pre_tokenizer", "decoder"})
        if (const std::string type = r.type(doc, component); type != "ByteLevel")
            r.fail(std::string(component) + (type.empty() ? " is missing" : " '" + type + "'") +
                   ", not ByteLevel: only GPT-2 style byte-level BPE is read");
    const json &preTokenizer = doc["pre_tokenizer"];
    BpeTokenizer::Options options;
    options.addPrefixSpace = r.flag(preTokenizer, "add_prefix_space", true, "pre_tokenizer.");
    options.useRegex = r.flag(preTokenizer, "use_regex", true, "pre_tokenizer.");
    options.ignoreMerges = r.flag(model, "ignore_merges", false, "model.");

    const int64_t ids = idLimit(doc, model);
    auto tokenizer = std::make_unique<BpeTokenizer>(readVocabulary(r, model, ids), readAddedTokens(r, doc, ids), options);
    tokenizer->setMerges(path, readMerges(r, model));
    findSpecialTokens(path, *tokenizer);
    return tokenizer;
}

} // namespace sculpt
