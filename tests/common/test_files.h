#pragma once
// Helpers shared by the Qt Test executables: where the real models are, and writing
// the small (often deliberately broken) files the reader tests need.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QtTest>

#include <cstring>
#include <string>

namespace sculpt::test {

// ../shared/models/<relative>, or an empty string when the shared folder is absent.
inline QString sharedModel(const QString &relative)
{
    const QString path = QStringLiteral(SCULPT_SHARED_DIR "/models/") + relative;
    return QFileInfo::exists(path) ? path : QString();
}

inline void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

template <typename T> void append(QByteArray &out, T value)
{
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.append(raw, sizeof(T));
}

} // namespace sculpt::test

// Skips the current test, naming the missing file, when ../shared is not there.
#define SCULPT_REQUIRE_SHARED(var, relative)                                                        \
    const QString var = sculpt::test::sharedModel(relative);                                         \
    if (var.isEmpty())                                                                               \
        QSKIP(qPrintable(QStringLiteral("../shared/models/" relative " is absent; skipping")));
