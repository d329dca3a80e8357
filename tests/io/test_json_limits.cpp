// JSON from files Sculpt does not trust: documents past the limits are refused in the memory
// their text takes, and every malformed one — a number no double holds included — is one
// FileError line, never another exception.

#include "child_process.h"
#include "tensor_files.h"
#include "file_errors.h"
#include "test_files.h"

#include "io/error.h"
#include "io/formats.h"
#include "io/json_text.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <functional>
#include <sys/stat.h>

using namespace sculpt;

namespace {

// A safetensors file with `header` as its JSON header and no data.
QByteArray withHeader(const QByteArray &header)
{
    QByteArray file;
    test::append(file, uint64_t(header.size()));
    return file + header;
}

QByteArray repeated(const char *prefix, const char *item, qsizetype count, const char *suffix)
{
    QByteArray text(prefix);
    text.reserve(qsizetype(std::strlen(item)) * count + 64);
    for (qsizetype i = 0; i < count; ++i) {
        if (i)
            text += ',';
        text += item;
    }
    return text + suffix;
}

// The error opening `path` gives, from a child whose peak memory is checked against `limitMb`.
QString openInChild(const QString &path, long limitMb)
{
    const auto child = test::runInChild([&] { return test::fileError([&] { openCheckpoint(path.toStdString()); }).toStdString(); });
    if (!child.finished)
        return "did not finish";
    if (child.peakKb > limitMb * 1024)
        return QString("peak memory %1 MB").arg(child.peakKb / 1024);
    return QString::fromStdString(child.message);
}

} // namespace

class TestJsonLimits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void limitsAreChecked()
    {
        QCOMPARE(parseJson(R"({"a": [1, 2, {"b": null}]})", "f", "doc", {.values = 8, .depth = 3})["a"][2].is_object(),
                 true);
        QVERIFY(test::fileError([] { parseJson(R"({"a": [1, 2, {"b": null}]})", "f", "doc", {.values = 7, .depth = 3}); })
                    .contains("f: doc holds more than 7 JSON values"));
        QVERIFY(test::fileError([] { parseJson(R"({"a": [1, 2, {"b": null}]})", "f", "doc", {.values = 8, .depth = 2}); })
                    .contains("f: doc nests JSON deeper than 2 levels"));
        const QString overflow = test::fileError([] { parseJson(R"({"a": 1e999})", "f", "doc"); });
        QVERIFY2(overflow.startsWith("f: doc is not valid JSON") && overflow.contains("number overflow"), qPrintable(overflow));
        QVERIFY(test::fileError([] { parseJson("{\"a\": ", "f", "doc"); }).startsWith("f: doc is not valid JSON"));
    }

    // A 98 MB header holding one 49-million-element array took 2 GB before these limits.
    void hugeArrayHeaderIsRefusedCheaply()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("array.safetensors");
        test::writeFile(path, withHeader(repeated("{\"a\": [", "0", 49'000'000, "]}")));
        const QString why = openInChild(path, 150);
        QVERIFY2(why.contains("header holds more than 2000000 JSON values"), qPrintable(why));
    }

    void millionsOfMetadataKeysAreRefusedCheaply()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("metadata.safetensors");
        QByteArray header("{\"__metadata__\": {");
        for (int i = 0; i < 7'000'000; ++i)
            header += (i ? ",\"" : "\"") + QByteArray::number(i) + "\":\"\"";
        test::writeFile(path, withHeader(header + "}}"));
        const QString why = openInChild(path, 150);
        QVERIFY2(why.contains("header holds more than 2000000 JSON values"), qPrintable(why));
    }

    void deepNestingIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("deep.safetensors");
        test::writeFile(path, withHeader("{\"a\": " + QByteArray(100'000, '[') + QByteArray(100'000, ']') + "}"));
        const QString why = test::fileError([&] { openCheckpoint(path.toStdString()); });
        QVERIFY2(why.contains("header nests JSON deeper than 4 levels"), qPrintable(why));
    }

    // nlohmann reports a number that overflows a double as out_of_range, not parse_error.
    void numberOverflowIsAFileError_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("safetensors header") << "model.safetensors"
                                            << withHeader(R"({"a": {"dtype": "F32", "shape": [1e999], "data_offsets": [0, 0]}})");
        QTest::newRow("sharded index") << "model.safetensors.index.json" << QByteArray(R"({"metadata": {"total_size": 1e999}, "weight_map": {}})");
        QTest::newRow("config.json") << "config.json" << QByteArray(R"({"model_type": "llama", "rope_theta": 1e999})");
    }
    void numberOverflowIsAFileError()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        test::writeTensors(dir.filePath("weights.safetensors"), {{"w", DType::F32, {1}, test::raw<float>({1})}});
        test::writeFile(dir.filePath(file), bytes);
        const QString path = file == "config.json" ? dir.path() : dir.filePath(file);
        const QString why = test::fileError([&] { openCheckpoint(path.toStdString()); });
        QVERIFY2(why.contains("is not valid JSON") && why.contains("number overflow") && !why.contains("not a FileError"),
                 qPrintable(why));
    }

    // A FIFO waits for a writer forever once opened: it is refused before.
    void fifoIsRefusedAtOnce()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath("model.safetensors");
        QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
        const auto child = test::runInChild([&] { return test::fileError([&] { openCheckpoint(fifo.toStdString()); }).toStdString(); }, 10);
        QVERIFY2(child.finished, "opening a FIFO hung");
        QVERIFY2(QString::fromStdString(child.message).contains("is not a regular file"), child.message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestJsonLimits)
#include "test_json_limits.moc"
