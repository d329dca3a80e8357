#pragma once
// GPT-2's real tokenizer as committed in tests/data/gpt2_tokenizer (gzip, unpacked with zlib
// where a test needs tokenizer.json), and the reference ids for its passages.

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QtTest>

#include <string>
#include <vector>
#include <zlib.h>

namespace sculpt::test {

inline QString gpt2TokenizerData(const QString &name)
{
    return QStringLiteral(SCULPT_TEST_DATA_DIR "/gpt2_tokenizer/") + name;
}

// Writes tokenizer.json into `folder` and returns its path; empty (after a failed QVERIFY)
// when the data cannot be read.
inline QString unpackGpt2Tokenizer(const QString &folder)
{
    gzFile in = gzopen(gpt2TokenizerData("tokenizer.json.gz").toLocal8Bit().constData(), "rb");
    if (!in) {
        QTest::qFail("cannot open tokenizer.json.gz", __FILE__, __LINE__);
        return {};
    }
    QByteArray json;
    char buffer[1 << 16];
    int n = 0;
    while ((n = gzread(in, buffer, sizeof buffer)) > 0)
        json.append(buffer, n);
    gzclose(in);
    if (n < 0) {
        QTest::qFail("tokenizer.json.gz is damaged", __FILE__, __LINE__);
        return {};
    }
    const QString path = folder + "/tokenizer.json";
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(json) != json.size()) {
        QTest::qFail(qPrintable("cannot write " + path), __FILE__, __LINE__);
        return {};
    }
    return path;
}

struct Passage {
    std::string text;
    std::vector<int32_t> ids;
};

// expected.json: the passages and the ids GPT-2's encoder gives them (make_test_data.js).
inline std::vector<Passage> gpt2Passages()
{
    QFile f(gpt2TokenizerData("expected.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    std::vector<Passage> passages;
    for (const QJsonValue &v : QJsonDocument::fromJson(f.readAll()).array()) {
        Passage p{v["text"].toString().toStdString(), {}};
        for (const QJsonValue &id : v["ids"].toArray())
            p.ids.push_back(id.toInt());
        passages.push_back(std::move(p));
    }
    return passages;
}

} // namespace sculpt::test
