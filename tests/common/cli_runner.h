#pragma once
// Runs the real sculpt-cli binary, as a user would.

#include <QProcess>
#include <QStringList>
#include <QtTest>

#include <csignal>

namespace sculpt::test {

struct CliRun {
    int exitCode; // -1 when it crashed or hung
    QByteArray out;
    QByteArray err;
};

// Ctrl-C, SIGTERM (a cluster, `kill`) and SIGHUP (a closing terminal): every long command
// stops on each alike, keeping what it finished, with 128 + the signal as its status.
inline void addStopSignalRows()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGINT") << SIGINT;
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGHUP") << SIGHUP;
}

inline CliRun runCli(const QStringList &args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(QStringLiteral(SCULPT_CLI_PATH), args);
    if (!p.waitForFinished(timeoutMs))
        return {-1, {}, "did not finish"};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

// A refusal as the README promises them: status 2, nothing on stdout, one line naming `mentions`.
inline void checkRefused(const CliRun &run, const QString &mentions)
{
    const QString err = QString::fromUtf8(run.err).trimmed();
    QVERIFY2(run.exitCode == 2, qPrintable(QString("status %1: %2").arg(run.exitCode).arg(err)));
    QVERIFY2(run.out.isEmpty(), run.out.constData());
    QVERIFY2(!err.contains('\n'), qPrintable(err));
    QVERIFY2(err.contains(mentions), qPrintable(err));
}

} // namespace sculpt::test
