#pragma once
// Runs tests/reference/llama2c_reference.py, the independent numpy implementation of
// llama2.c's tokenizer and forward pass, with Debian's python3 and python3-numpy (or the
// test's own SCULPT_REFERENCE_SCRIPT: test_gpt2 runs gpt2_reference.py, test_vision_tower
// vision_tower_reference.py).

#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

namespace sculpt::test {

// The Python module the script computes with: numpy, or a test's own (test_vision_tower: torch).
#ifndef SCULPT_REFERENCE_MODULE
#define SCULPT_REFERENCE_MODULE "numpy"
#endif

// Why the reference cannot run here, or an empty string when it can.
inline QString referenceUnavailable()
{
    QProcess p;
    p.start(QStringLiteral(SCULPT_SYSTEM_PYTHON), {"-c", "import " SCULPT_REFERENCE_MODULE});
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral(SCULPT_SYSTEM_PYTHON " with " SCULPT_REFERENCE_MODULE " (python3-" SCULPT_REFERENCE_MODULE
                              ") is not available");
    return {};
}

// The script's JSON answer to `args`; a failed QVERIFY (and an empty document) when it fails.
inline QJsonDocument runReference(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(SCULPT_SYSTEM_PYTHON), QStringList{QStringLiteral(SCULPT_REFERENCE_SCRIPT)} + args);
    const bool finished = p.waitForFinished(120000);
    const QByteArray out = p.readAllStandardOutput(), err = p.readAllStandardError();
    if (!finished || p.exitCode() != 0) {
        QTest::qFail(qPrintable("reference failed: " + QString::fromUtf8(err)), __FILE__, __LINE__);
        return {};
    }
    return QJsonDocument::fromJson(out);
}

} // namespace sculpt::test

#define SCULPT_REQUIRE_REFERENCE()                                                                  \
    if (const QString why = sculpt::test::referenceUnavailable(); !why.isEmpty())                   \
        QSKIP(qPrintable(why));
