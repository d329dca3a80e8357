// Hugging Face tokenizer.json with a byte-level BPE model: GPT-2's real vocabulary gives the
// ids of two independent JavaScript GPT-2 encoders on real passages (tests/data/gpt2_tokenizer),
// every byte string comes back from decode(encode(x)), the pre-tokenizer splits as GPT-2's
// regex does, and the tokenizer.json options and malformed files behave as documented.

#include "gpt2_tokenizer_files.h"
#include "io/error.h"
#include "runtime/byte_level.h"
#include "runtime/tokenizer.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <random>

using namespace sculpt;
using Ids = std::vector<int32_t>;

namespace {

constexpr int32_t kEndOfText = 50256;

std::vector<std::string> words(std::string_view text)
{
    std::vector<std::string> out;
    for (const std::string_view w : splitGpt2Words(text))
        out.emplace_back(w);
    return out;
}

// A small byte-level tokenizer.json: the 256 byte tokens (ids 0–255), then `extra` tokens,
// `merges` in the "a b" form, and the JSON `more` adds at the top level or in the model.
QByteArray smallTokenizer(const QStringList &extra, const QJsonArray &merges, const QJsonObject &more = {},
                          const QJsonObject &moreModel = {})
{
    QJsonObject vocab;
    for (int b = 0; b < 256; ++b)
        vocab[QString::fromStdString(byteSymbols()[size_t(b)])] = b;
    for (int i = 0; i < extra.size(); ++i)
        vocab[extra[i]] = 256 + i;
    QJsonObject model{{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}};
    for (auto it = moreModel.begin(); it != moreModel.end(); ++it)
        model[it.key()] = it.value();
    const QJsonObject byteLevel{{"type", "ByteLevel"}, {"add_prefix_space", false}};
    QJsonObject doc{{"model", model}, {"pre_tokenizer", byteLevel}, {"decoder", byteLevel}};
    for (auto it = more.begin(); it != more.end(); ++it)
        doc[it.key()] = it.value();
    return QJsonDocument(doc).toJson();
}

// The id `symbol` has in the small tokenizer: a byte's token, or 256 + its place in `extra`.
int32_t byteId(char c) { return static_cast<unsigned char>(c); }

std::unique_ptr<Tokenizer> openFrom(const QTemporaryDir &dir, const QByteArray &json,
                                    const QString &name = "tokenizer.json")
{
    const QString path = dir.filePath(name);
    sculpt::test::writeFile(path, json);
    return openTokenizer(path.toStdString());
}

QString openError(const QTemporaryDir &dir, const QByteArray &json)
{
    try {
        openFrom(dir, json);
    } catch (const FileError &e) {
        return QString::fromUtf8(e.what());
    }
    return "opened without an error";
}

} // namespace

class TestBpeTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const QString path = sculpt::test::unpackGpt2Tokenizer(dir_.path());
        QVERIFY(!path.isEmpty());
        gpt2_ = openTokenizer(path.toStdString());
        passages_ = sculpt::test::gpt2Passages();
        QVERIFY(passages_.size() > 50);
    }

    void gpt2GivesTheReferenceIds()
    {
        for (const auto &p : passages_) {
            const Ids ids = gpt2_->encode(p.text, false);
            QVERIFY2(ids == p.ids, p.text.c_str());
            QCOMPARE(gpt2_->decode(ids), p.text);
        }
    }

    void endOfTextIsBosAndEos()
    {
        QCOMPARE(gpt2_->vocabSize(), 50257);
        QCOMPARE(gpt2_->bos(), kEndOfText);
        QCOMPARE(gpt2_->eos(), kEndOfText);
        Ids expected{kEndOfText};
        const auto &p = passages_.front();
        expected.insert(expected.end(), p.ids.begin(), p.ids.end());
        QCOMPARE(gpt2_->encode(p.text, true), expected);
        QCOMPARE(gpt2_->decode(expected), p.text);
        QCOMPARE(gpt2_->decode(-1, 50257), std::string());
    }

    void addedTokensAreCutOutOfTheText()
    {
        Ids expected = gpt2_->encode("Hello", false);
        expected.push_back(kEndOfText);
        const Ids world = gpt2_->encode(" world", false);
        expected.insert(expected.end(), world.begin(), world.end());
        QCOMPARE(gpt2_->encode("Hello<|endoftext|> world", false), expected);
        QCOMPARE(gpt2_->encode("<|endoftext|><|endoftext|>", false), (Ids{kEndOfText, kEndOfText}));
        // A broken-off marker is plain text (gpt-3-encoder's ids).
        QCOMPARE(gpt2_->encode("<|endoftext|", false), (Ids{27, 91, 437, 1659, 5239, 91}));
    }

    void anyBytesComeBack()
    {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> byte(0, 255), length(0, 40), pick(0, 6);
        // Whole characters from many scripts and planes, and raw bytes that are not UTF-8.
        const std::vector<std::string> pieces{" ", "  ", "\n", "\t", "a", "Z", "7", "'s", "é", "ß", "Ω", "ж", "中",
                                              "😀", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "\u00A0", "\u3000", "\u0301"};
        std::uniform_int_distribution<size_t> which(0, pieces.size() - 1);
        for (int round = 0; round < 400; ++round) {
            std::string text;
            for (int n = length(rng); n > 0; --n)
                text += pick(rng) == 0 ? std::string(1, char(byte(rng))) : pieces[which(rng)];
            const Ids ids = gpt2_->encode(text, false);
            QVERIFY2(gpt2_->decode(ids) == text, qPrintable(QByteArray::fromStdString(text).toHex()));
        }
        for (int b = 0; b < 256; ++b) {
            const std::string one(1, char(b));
            QCOMPARE(gpt2_->decode(gpt2_->encode(one, false)), one);
        }
    }

    void mergesAsPairsGiveTheSameIds()
    {
        QFile f(dir_.filePath("tokenizer.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        QJsonObject model = doc["model"].toObject();
        QJsonArray pairs;
        for (const QJsonValue &m : model["merges"].toArray())
            pairs.append(QJsonArray::fromStringList(m.toString().split(' ')));
        model["merges"] = pairs;
        doc["model"] = model;
        QTemporaryDir dir;
        const auto tokenizer = openFrom(dir, QJsonDocument(doc).toJson(QJsonDocument::Compact));
        for (size_t i = 0; i < passages_.size(); i += 5)
            QVERIFY2(tokenizer->encode(passages_[i].text, false) == passages_[i].ids, passages_[i].text.c_str());
    }

    void wordsSplitAsGpt2sRegex_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("words") << "Hello world" << QStringList{"Hello", " world"};
        QTest::newRow("two spaces") << "a  b" << QStringList{"a", " ", " b"};
        QTest::newRow("blank line") << "a\n\nb" << QStringList{"a", "\n", "\n", "b"};
        QTest::newRow("trailing spaces") << "x   " << QStringList{"x", "   "};
        QTest::newRow("contractions") << "it's IT'S we'd've"
                                      << QStringList{"it", "'s", " IT", "'", "S", " we", "'d", "'ve"};
        QTest::newRow("numbers") << "pi 3.14, 12ab" << QStringList{"pi", " 3", ".", "14", ",", " 12", "ab"};
        QTest::newRow("punctuation run") << "ok?! (yes)" << QStringList{"ok", "?!", " (", "yes", ")"};
        QTest::newRow("accents are letters") << "naïve Ångström" << QStringList{"naïve", " Ångström"};
        QTest::newRow("combining mark") << "cre\u0300me" << QStringList{"cre", "\u0300", "me"};
        QTest::newRow("other digits") << "x\u0661\u0662 \u00bd" << QStringList{"x", "\u0661\u0662", " \u00bd"};
        QTest::newRow("no-break space") << "5\u00a0km" << QStringList{"5", "\u00a0", "km"};
        QTest::newRow("emoji") << "hi 😀😀!" << QStringList{"hi", " 😀😀!"};
    }
    void wordsSplitAsGpt2sRegex()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        std::vector<std::string> want;
        for (const QString &w : expected)
            want.push_back(w.toStdString());
        QCOMPARE(words(text.toStdString()), want);
    }

    void bytesThatAreNotUtf8AreCharactersOfTheirOwn()
    {
        QCOMPARE(words("ab\xff\xfe cd\xc3"), (std::vector<std::string>{"ab", "\xff\xfe", " cd", "\xc3"}));
        QCOMPARE(words(""), std::vector<std::string>{});
    }

    void mergesApplyByRank()
    {
        QTemporaryDir dir;
        // "aa" (256) ranks before "aaa" (257) which needs it; "b c" ranks last.
        const auto t = openFrom(dir, smallTokenizer({"aa", "aaa", "bc"}, {"a a", "aa a", "b c"}));
        QCOMPARE(t->encode("aaa", false), (Ids{257}));
        QCOMPARE(t->encode("aaaa", false), (Ids{256, 256}));
        QCOMPARE(t->encode("aaaaa", false), (Ids{256, 257}));
        QCOMPARE(t->encode("abc", false), (Ids{byteId('a'), 258}));
        QCOMPARE(t->vocabSize(), 259);
        // No <|endoftext|> and no tokenizer_config.json: no BOS or EOS.
        QCOMPARE(t->bos(), -1);
        QCOMPARE(t->encode("a", true), (Ids{byteId('a')}));
    }

    void optionsOfTheFile()
    {
        QTemporaryDir dir;
        const QJsonObject prefixed{{"type", "ByteLevel"}, {"add_prefix_space", true}};
        const auto withPrefix = openFrom(dir, smallTokenizer({"Ġa"}, {"Ġ a"}, {{"pre_tokenizer", prefixed}}));
        QCOMPARE(withPrefix->encode("a", false), (Ids{256}));
        QCOMPARE(withPrefix->decode(Ids{256}), std::string(" a"));

        // ignore_merges takes a word that is a token whole, even without a merge to it.
        const auto whole = openFrom(dir, smallTokenizer({"xyz"}, {}, {}, {{"ignore_merges", true}}));
        QCOMPARE(whole->encode("xyz", false), (Ids{256}));
        const auto pieces = openFrom(dir, smallTokenizer({"xyz"}, {}));
        QCOMPARE(pieces->encode("xyz", false), (Ids{byteId('x'), byteId('y'), byteId('z')}));

        const QJsonObject noRegex{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
        const auto oneWord =
            openFrom(dir, smallTokenizer({"aĠ", "aĠb"}, {"a Ġ", "aĠ b"}, {{"pre_tokenizer", noRegex}}));
        QCOMPARE(oneWord->encode("a b", false), (Ids{257}));
    }

    void addedTokenOptions()
    {
        QTemporaryDir dir;
        const auto added = [](const QString &content, int id, bool lstrip, bool rstrip, bool singleWord, bool special) {
            return QJsonObject{{"id", id},         {"content", content},       {"lstrip", lstrip},
                               {"rstrip", rstrip}, {"single_word", singleWord}, {"special", special}};
        };
        const QJsonArray tokens{added("<mask>", 256, true, true, false, true),
                                added("cat", 257, false, false, true, false),
                                added("<s>", 258, false, false, false, true),
                                added("</s>", 259, false, false, false, true)};
        sculpt::test::writeFile(dir.filePath("tokenizer_config.json"),
                                "{\"bos_token\": \"<s>\", \"eos_token\": {\"content\": \"</s>\"}}");
        const auto t = openFrom(dir, smallTokenizer({"<mask>", "cat", "<s>", "</s>"}, {}, {{"added_tokens", tokens}}));
        QCOMPARE(t->bos(), 258);
        QCOMPARE(t->eos(), 259);
        // lstrip and rstrip take the spaces around <mask> into it.
        QCOMPARE(t->encode("a  <mask> b", false), (Ids{byteId('a'), 256, byteId('b')}));
        // A single-word token only stands alone.
        QCOMPARE(t->encode("cat", false), (Ids{257}));
        QCOMPARE(t->encode("a cat.", false), (Ids{byteId('a'), byteId(' '), 257, byteId('.')}));
        QCOMPARE(t->encode("cats", false), (Ids{byteId('c'), byteId('a'), byteId('t'), byteId('s')}));
        // Special tokens decode to nothing, other added tokens to their text.
        QCOMPARE(t->decode(Ids{258, 257, 256, 259}), std::string("cat"));
        QCOMPARE(t->encode("x", true), (Ids{258, byteId('x')}));
    }

    void filesItRefuses_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        const QJsonObject metaspace{{"type", "Metaspace"}};
        QTest::newRow("unigram") << QByteArray("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}") << "'Unigram'";
        QTest::newRow("normalizer") << smallTokenizer({}, {}, {{"normalizer", QJsonObject{{"type", "NFC"}}}})
                                    << "normalizer 'NFC'";
        QTest::newRow("metaspace") << smallTokenizer({}, {}, {{"pre_tokenizer", metaspace}}) << "'Metaspace'";
        QTest::newRow("unknown merge") << smallTokenizer({}, {"a b"}) << "merge 0 (\"a b\")";
        QTest::newRow("merge of three") << smallTokenizer({"ab"}, {"a b c"}) << "not two tokens";
        QTest::newRow("not JSON") << QByteArray("{\"model\": ") << "tokenizer.json is not valid JSON";
        QTest::newRow("number overflow") << QByteArray("{\"model\": {\"type\": \"BPE\", \"dropout\": 1e999}}") << "number overflow";
        QTest::newRow("no model") << QByteArray("{\"vocab_size\": 3}") << "no tokenizer model";
        QTest::newRow("no byte tokens")
            << QByteArray("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, "
                          "\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"decoder\": {\"type\": \"ByteLevel\"}}")
            << "no token for byte 0x0";
        QTest::newRow("dropout") << smallTokenizer({}, {}, {}, {{"dropout", 0.1}}) << "dropout";
    }
    void filesItRefuses()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString error = openError(dir, json);
        QVERIFY2(error.contains(message) && !error.contains('\n'), qPrintable(error));
    }

    void tokenizerJsonIsFoundBesideTheModel()
    {
        QTemporaryDir dir;
        sculpt::test::writeFile(dir.filePath("model.safetensors"), "x");
        sculpt::test::writeFile(dir.filePath("tokenizer.json"), "{}");
        QCOMPARE(findTokenizer(dir.filePath("model.safetensors").toStdString(), 50257),
                 dir.filePath("tokenizer.json").toStdString());
        // LLaMA folders often hold both: the SentencePiece model is the one they were made with.
        sculpt::test::writeFile(dir.filePath("tokenizer.model"), "x");
        QCOMPARE(findTokenizer(dir.path().toStdString(), 50257), dir.filePath("tokenizer.model").toStdString());
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Tokenizer> gpt2_;
    std::vector<sculpt::test::Passage> passages_;
};

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "test_bpe_tokenizer.moc"
