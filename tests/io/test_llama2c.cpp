// llama2.c checkpoints: the real stories260K model, and files the test writes.

#include "io/error.h"
#include "io/formats.h"
#include "io/llama2c.h"
#include "test_files.h"

#include <QTemporaryDir>

using namespace sculpt;

namespace {

struct Header {
    int32_t dim, hidden, layers, heads, kvHeads, vocab, seqLen;
};

// A small llama2.c file whose every float is its own index, so views can be checked.
QByteArray syntheticModel(const Header &h, int extraBytes = 0)
{
    const int64_t head = h.dim / h.heads, kv = head * h.kvHeads, vocab = std::abs(h.vocab);
    const int64_t floats = vocab * h.dim +
                           h.layers * (2 * h.dim + 2 * h.dim * h.dim + 2 * h.dim * kv + 3 * h.dim * h.hidden) +
                           h.dim + h.seqLen * head + (h.vocab < 0 ? vocab * h.dim : 0);
    QByteArray out(reinterpret_cast<const char *>(&h), sizeof h);
    for (int64_t i = 0; i < floats; ++i)
        test::append(out, static_cast<float>(i));
    out.append(extraBytes, '\0');
    return out;
}

} // namespace

class TestLlama2c : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stories260K()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = openCheckpoint(path.toStdString());
        QCOMPARE(model->format(), std::string("llama2.c"));
        const auto &meta = model->metadata();
        QCOMPARE(meta.at("dim"), std::string("64"));
        QCOMPARE(meta.at("n_layers"), std::string("5"));
        QCOMPARE(meta.at("n_heads"), std::string("8"));
        QCOMPARE(meta.at("n_kv_heads"), std::string("4"));
        QCOMPARE(meta.at("vocab_size"), std::string("512"));
        QCOMPARE(meta.at("shared_classifier"), std::string("true"));
        QCOMPARE(model->tensors().size(), size_t(1 + 5 * 9 + 2));

        QCOMPARE(model->at("model.layers.0.self_attn.q_proj.weight").shape, (std::vector<int64_t>{64, 64}));
        QCOMPARE(model->at("model.layers.4.self_attn.k_proj.weight").shape, (std::vector<int64_t>{32, 64}));
        QCOMPARE(model->at("model.layers.2.mlp.gate_proj.weight").shape, (std::vector<int64_t>{172, 64}));
        QCOMPARE(model->at("model.layers.2.mlp.down_proj.weight").shape, (std::vector<int64_t>{64, 172}));
        QCOMPARE(model->at("lm_head.weight").tiedTo, std::string("model.embed_tokens.weight"));
        QCOMPARE(model->bytes(model->at("lm_head.weight")).data(),
                 model->bytes(model->at("model.embed_tokens.weight")).data());

        // Parameters (tied classifier counted once) + the unused RoPE tables fill the file exactly.
        const uint64_t parameters = model->parameterCount();
        QCOMPARE(parameters, uint64_t(260032));
        QCOMPARE(uint64_t(QFileInfo(path).size()), 28 + 4 * (parameters + 2 * 2048));

        // Views land where run.c reads: layer 1's wk starts after embed, rms_att, wq and layer 0's wk.
        QFile raw(path);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray bytes = raw.readAll();
        const qsizetype wk1 = 28 + 4 * (512 * 64 + 5 * 64 + 5 * 64 * 64 + 64 * 32);
        const auto k = model->toFloat32(model->at("model.layers.1.self_attn.k_proj.weight"));
        QCOMPARE(std::memcmp(k.data(), bytes.constData() + wk1, k.size() * 4), 0);
    }

    void separateClassifier()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("model.bin");
        test::writeFile(path, syntheticModel({8, 16, 2, 2, 1, -5, 4}));
        const auto model = readLlama2c(path.toStdString());
        const auto &head = model->at("lm_head.weight");
        QVERIFY(head.tiedTo.empty());
        QCOMPARE(head.shape, (std::vector<int64_t>{5, 8}));
        // The classifier is the last array: after the RoPE tables.
        const auto values = model->toFloat32(head);
        const auto embed = model->toFloat32(model->at("model.embed_tokens.weight"));
        QCOMPARE(embed.front(), 0.0f);
        QVERIFY(values.front() > embed.back());
        // Not tied, so counted; the RoPE tables (seq_len × head_size floats) are not parameters.
        QCOMPARE(model->parameterCount() + 4 * 4, uint64_t((QFileInfo(path).size() - 28) / 4));
    }

    void sizeMismatchIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("model.bin");
        test::writeFile(path, syntheticModel({8, 16, 1, 2, 1, 4, 4}, 4));
        try {
            openCheckpoint(path.toStdString());
            QFAIL("a file longer than its header says was accepted");
        } catch (const FileError &e) {
            QVERIFY2(QString(e.what()).contains(path) && QString(e.what()).contains("needs"), e.what());
        }
    }

    void truncatedRealFileIsRefused()
    {
        SCULPT_REQUIRE_SHARED(source, "stories260K/stories260K.bin");
        QFile in(source);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QTemporaryDir dir;
        const QString path = dir.filePath("cut.bin");
        test::writeFile(path, in.read(in.size() - 1000));
        QVERIFY_THROWS_EXCEPTION(FileError, openCheckpoint(path.toStdString()));
    }

    void implausibleHeaderIsNotClaimed_data()
    {
        QTest::addColumn<QByteArray>("header");
        const auto header = [](Header h) { return QByteArray(reinterpret_cast<const char *>(&h), sizeof h); };
        QTest::newRow("heads do not divide dim") << header({8, 16, 1, 3, 1, 4, 4});
        QTest::newRow("kv heads do not divide heads") << header({8, 16, 1, 4, 3, 4, 4});
        QTest::newRow("zero layers") << header({8, 16, 0, 2, 1, 4, 4});
        QTest::newRow("negative dim") << header({-8, 16, 1, 2, 1, 4, 4});
        QTest::newRow("zero vocab") << header({8, 16, 1, 2, 1, 0, 4});
        QTest::newRow("short") << QByteArray("\x08\x00\x00\x00", 4);
    }
    void implausibleHeaderIsNotClaimed()
    {
        QFETCH(QByteArray, header);
        const auto *bytes = reinterpret_cast<const std::byte *>(header.constData());
        QVERIFY(!claimsLlama2c({bytes, size_t(header.size())}, uint64_t(header.size()) + 4096));
        QTemporaryDir dir;
        const QString path = dir.filePath("x.bin");
        test::writeFile(path, header + QByteArray(4096, '\0'));
        QVERIFY_THROWS_EXCEPTION(FileError, readLlama2c(path.toStdString()));
    }
};

QTEST_APPLESS_MAIN(TestLlama2c)
#include "test_llama2c.moc"
