// Tokenizers: llama2.c's tok512.bin against run.c's encoder (the numpy reference) and hand-
// checked ids, SentencePiece's tok512.model against tok512.bin, detection by content.

#include "io/error.h"
#include "llama2c_reference.h"
#include "runtime/tokenizer.h"
#include "test_files.h"

#include <QJsonArray>
#include <QTemporaryDir>

using namespace sculpt;

namespace {

using Ids = std::vector<int32_t>;

Ids ids(const QJsonArray &array)
{
    Ids out;
    for (const auto &v : array)
        out.push_back(v.toInt());
    return out;
}

QByteArray show(const Ids &tokens)
{
    QByteArray out;
    for (const int32_t t : tokens)
        out += QByteArray::number(t) + ' ';
    return out;
}

const QStringList kSentences{
    "Once upon a time, there was a little girl named Lily.",
    "She loved to play outside in the park. \"Look!\" said Tom, 3 times.",
    "The dog's name was Max; he was 12 years old.\nHe liked bones.",
    "Ünïcödé: naïve café, 東京, emoji 😀 and a tab\there.",
    "a",
    "zzzz qqqq xxxx",
};

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void llama2cMatchesRunC()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/tok512.bin");
        SCULPT_REQUIRE_REFERENCE();
        const auto tokenizer = openTokenizer(path.toStdString());
        const QJsonArray expected = sculpt::test::runReference(QStringList{"encode", path} + kSentences).array();
        QCOMPARE(expected.size(), kSentences.size());
        for (qsizetype i = 0; i < kSentences.size(); ++i) {
            const Ids got = tokenizer->encode(kSentences[i].toStdString(), true);
            const Ids want = ids(expected[i].toArray());
            QVERIFY2(got == want, qPrintable(kSentences[i] + "\n got  " + show(got) + "\n want " + show(want)));
        }
    }

    void llama2cHandChecked()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/tok512.bin");
        const auto tokenizer = openTokenizer(path.toStdString());
        QCOMPARE(tokenizer->vocabSize(), 512);
        // " Once" " upon" " a" " time": the dummy prefix space joins the first word.
        QCOMPARE(tokenizer->encode("Once upon a time", true), (Ids{1, 403, 407, 261, 378}));
        QCOMPARE(tokenizer->encode("", true), (Ids{1}));
        QCOMPARE(tokenizer->encode("", false), (Ids{}));
        // 0xFF is no UTF-8 and no piece: byte fallback, id = byte + 3.
        const Ids invalid = tokenizer->encode("\xff", false);
        QCOMPARE(invalid.back(), 0xFF + 3);
        QCOMPARE(tokenizer->decode(invalid).back(), '\xff');
    }

    void llama2cDecodesWhatItEncodes()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/tok512.bin");
        const auto tokenizer = openTokenizer(path.toStdString());
        for (const QString &sentence : kSentences) {
            const std::string text = sentence.toStdString();
            QCOMPARE(tokenizer->decode(tokenizer->encode(text, true)), text);
        }
        const std::string bytes("\x80\xfe mixed \xc3", 10);
        QCOMPARE(tokenizer->decode(tokenizer->encode(bytes, true)), bytes);
        QCOMPARE(tokenizer->decode(1, 9999), std::string()); // past the vocabulary: nothing
    }

    void sentencePieceMatchesLlama2cOnPlainText()
    {
        SCULPT_REQUIRE_SHARED(bin, "stories260K/tok512.bin");
        SCULPT_REQUIRE_SHARED(model, "stories260K/tok512.model");
        const auto llama2c = openTokenizer(bin.toStdString());
        const auto sp = openTokenizer(model.toStdString());
        QCOMPARE(sp->vocabSize(), 512);
        QCOMPARE(sp->bos(), 1);
        QCOMPARE(sp->eos(), 2);
        for (const char *sentence :
             {"Once upon a time, there was a little girl named Lily.",
              "She loved to play outside in the park. \"Look!\" said Tom, 3 times.",
              "The dog's name was Max; he was 12 years old.", "zzzz qqqq xxxx", "a"}) {
            const Ids a = llama2c->encode(sentence, true), b = sp->encode(sentence, true);
            QVERIFY2(a == b, qPrintable(QString(sentence) + "\n tok512.bin   " + show(a) + "\n tok512.model " + show(b)));
            QCOMPARE(sp->decode(b), std::string(sentence));
        }
    }

    void formatIsChosenByContent()
    {
        SCULPT_REQUIRE_SHARED(bin, "stories260K/tok512.bin");
        SCULPT_REQUIRE_SHARED(model, "stories260K/tok512.model");
        QTemporaryDir dir;
        // Swapped names: the content decides.
        QVERIFY(QFile::copy(bin, dir.filePath("tokenizer.model")));
        QVERIFY(QFile::copy(model, dir.filePath("tok512.bin")));
        const Ids expected{1, 403, 407, 261, 378};
        QCOMPARE(openTokenizer(dir.filePath("tokenizer.model").toStdString())->encode("Once upon a time", true), expected);
        QCOMPARE(openTokenizer(dir.filePath("tok512.bin").toStdString())->encode("Once upon a time", true), expected);

        const QString text = dir.filePath("notes.txt");
        sculpt::test::writeFile(text, "just some text\n");
        try {
            openTokenizer(text.toStdString());
            QFAIL("a text file opened as a tokenizer");
        } catch (const FileError &e) {
            QVERIFY2(QString(e.what()).contains("neither"), e.what());
        }
        // A truncated tok512.bin no longer parses, and is not mistaken for anything else.
        QFile f(bin);
        QVERIFY(f.open(QIODevice::ReadOnly));
        sculpt::test::writeFile(dir.filePath("cut.bin"), f.readAll().left(3000));
        QVERIFY_THROWS_EXCEPTION(FileError, openTokenizer(dir.filePath("cut.bin").toStdString()));
    }

    void tokenizerIsFoundBesideTheModel()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("model.bin");
        sculpt::test::writeFile(model, "x");
        QCOMPARE(findTokenizer(model.toStdString(), 512), std::string());
        sculpt::test::writeFile(dir.filePath("tok512.bin"), "x");
        QCOMPARE(findTokenizer(model.toStdString(), 512), dir.filePath("tok512.bin").toStdString());
        QCOMPARE(findTokenizer(model.toStdString(), 32000), std::string());
        sculpt::test::writeFile(dir.filePath("tokenizer.model"), "x");
        QCOMPARE(findTokenizer(dir.path().toStdString(), 512), dir.filePath("tokenizer.model").toStdString());
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
