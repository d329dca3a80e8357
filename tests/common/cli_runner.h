#pragma once
// Runs the real sculpt-cli binary, as a user would.

#include <QProcess>
#include <QStringList>

namespace sculpt::test {

struct CliRun {
    int exitCode; // -1 when it crashed or hung
    QByteArray out;
    QByteArray err;
};

inline CliRun runCli(const QStringList &args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(QStringLiteral(SCULPT_CLI_PATH), args);
    if (!p.waitForFinished(timeoutMs))
        return {-1, {}, "did not finish"};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace sculpt::test
