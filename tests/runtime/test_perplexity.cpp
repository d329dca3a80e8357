// The perplexity protocol on stories260K: the reference figure in the sample's SOURCE.txt,
// and an independent numpy implementation of llama2.c in float64.

#include "io/formats.h"
#include "llama2c_reference.h"
#include "runtime/language_model.h"
#include "data/text.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"
#include "test_files.h"

#include <QJsonObject>

using namespace sculpt;

namespace {

struct Stories {
    std::unique_ptr<LanguageModel> model;
    std::unique_ptr<Tokenizer> tokenizer;
    std::string text;
};

Stories load(const QString &model, const QString &tokenizer, const QString &text)
{
    QFile f(text);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return {LanguageModel::load(*openCheckpoint(model.toStdString())), openTokenizer(tokenizer.toStdString()),
            f.readAll().toStdString()};
}

} // namespace

class TestPerplexity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void documentsAreTheBlocksBetweenBlankLines()
    {
        const auto docs = splitDocuments("a b\n\nc\n\n\n\n  \n\n d\ne \n\n");
        QCOMPARE(docs.size(), size_t(3));
        QCOMPARE(docs[0], std::string_view("a b"));
        QCOMPARE(docs[1], std::string_view("c"));
        QCOMPARE(docs[2], std::string_view("d\ne"));
        QVERIFY(splitDocuments("\n\n \n").empty());
    }

    void matchesThePublishedReference()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tok, "stories260K/tok512.bin");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        const Stories s = load(model, tok, text);
        QVERIFY(s.model);
        long reported = 0;
        const JobContext job([&](const Progress &p) { reported = p.done; }, nullptr);
        const PerplexityResult r = perplexity(*s.model, *s.tokenizer, s.text, 300, job);
        // SOURCE.txt: 29,256 predicted tokens, mean NLL 1.435 nats (ppl 4.20).
        QCOMPARE(r.documents, 300);
        QCOMPARE(reported, 300);
        QCOMPARE(r.tokens, 29256);
        QVERIFY2(std::abs(r.meanNll - 1.435) < 5e-4, qPrintable(QString::number(r.meanNll, 'f', 6)));
        QVERIFY2(std::abs(r.perplexity() - 4.20) < 5e-3, qPrintable(QString::number(r.perplexity(), 'f', 4)));
    }

    void matchesTheNumpyReference()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tok, "stories260K/tok512.bin");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        SCULPT_REQUIRE_REFERENCE();
        const QJsonObject reference =
            sculpt::test::runReference({"perplexity", model, tok, text, "20"}).object();
        const Stories s = load(model, tok, text);
        const PerplexityResult r = perplexity(*s.model, *s.tokenizer, s.text, 20);
        QCOMPARE(r.documents, reference["documents"].toInt());
        QCOMPARE(r.tokens, reference["tokens"].toInt());
        const double expected = reference["mean_nll"].toDouble();
        QVERIFY2(std::abs(r.meanNll - expected) < 1e-4,
                 qPrintable(QString("%1 vs numpy %2").arg(r.meanNll, 0, 'f', 7).arg(expected, 0, 'f', 7)));
    }

    void longDocumentsAreCutToTheContext()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tok, "stories260K/tok512.bin");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        const Stories s = load(model, tok, text);
        // Ten documents glued into one: far more than 512 tokens, so 511 are predicted.
        const auto docs = splitDocuments(s.text);
        QVERIFY(docs.size() >= 10);
        std::string glued;
        for (size_t i = 0; i < 10; ++i)
            glued += std::string(docs[i]) + " ";
        const PerplexityResult r = perplexity(*s.model, *s.tokenizer, glued);
        QCOMPARE(r.documents, 1);
        QCOMPARE(r.tokens, 511);
        QVERIFY(std::isnan(perplexity(*s.model, *s.tokenizer, "\n\n").meanNll));
    }

    void cancelStopsBetweenDocuments()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tok, "stories260K/tok512.bin");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        const Stories s = load(model, tok, text);
        std::atomic<bool> cancel{false};
        long seen = 0;
        const JobContext job(
            [&](const Progress &p) {
                seen = p.done;
                if (p.done == 5)
                    cancel = true;
            },
            &cancel);
        QVERIFY_THROWS_EXCEPTION(Cancelled, perplexity(*s.model, *s.tokenizer, s.text, -1, job));
        QCOMPARE(seen, 5);
    }
};

QTEST_GUILESS_MAIN(TestPerplexity)
#include "test_perplexity.moc"
