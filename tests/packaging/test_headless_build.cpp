// The headless tree a GPU server builds (-DSCULPT_GUI=OFF, the sculpt-cli package): it
// configures with Qt hidden from CMake, builds sculpt-cli, its runtime and tokenizer modules
// and not the window, names Qt nowhere, and every command it would run — compile, archive,
// link — is one this tree ran already, word for word. So this build's success is the headless
// build's, without compiling the core a second time in CI.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int exitCode = -1; // -1 when it crashed or hung
    QByteArray out;
};

Run run(const QString &program, const QStringList &args, const QString &folder)
{
    QProcess p;
    p.setWorkingDirectory(folder);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(300000)) {
        p.kill();
        p.waitForFinished();
        return {-1, program.toUtf8() + " did not finish"};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAll()};
}

// Every command ninja would run in `tree` for its default targets, with the tree's own path
// written as @TREE so two trees' commands compare.
QStringList commandsOf(const QString &tree)
{
    const Run listed = run(SCULPT_NINJA, {"-t", "commands"}, tree);
    QStringList commands = QString::fromUtf8(listed.out).split('\n', Qt::SkipEmptyParts);
    commands.replaceInStrings(QDir(tree).canonicalPath(), QStringLiteral("@TREE"));
    return commands;
}

} // namespace

class TestHeadlessBuild : public QObject {
    Q_OBJECT
    QTemporaryDir tree_;
    QStringList commands_;

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(QStringLiteral(SCULPT_BUILD_DIR "/build.ninja")))
            QSKIP("this check compares Ninja build graphs, and this tree was generated for another build tool");
        QVERIFY(tree_.isValid());
        // The same compiler, build type and LibTorch as this tree; Qt and QCustomPlot hidden,
        // as on a server that has neither.
        const Run configured = run(SCULPT_CMAKE,
                                   {"-S", SCULPT_SOURCE_DIR, "-B", tree_.path(), "-G", "Ninja", "-DSCULPT_GUI=OFF",
                                    "-DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON", "-DCMAKE_DISABLE_FIND_PACKAGE_QCustomPlotQt6=ON",
                                    "-DCMAKE_MAKE_PROGRAM=" SCULPT_NINJA, "-DCMAKE_BUILD_TYPE=" SCULPT_BUILD_TYPE,
                                    "-DCMAKE_C_COMPILER=" SCULPT_C_COMPILER, "-DCMAKE_CXX_COMPILER=" SCULPT_CXX_COMPILER,
                                    "-DTorch_DIR=" SCULPT_TORCH_DIR},
                                   SCULPT_BUILD_DIR);
        QVERIFY2(configured.exitCode == 0, configured.out.constData());
        commands_ = commandsOf(tree_.path());
        QVERIFY(!commands_.isEmpty());
    }

    // What the sculpt-cli package holds, and no window.
    void buildsTheCliAndItsModules()
    {
        const QString all = commands_.join('\n');
        for (const char *output : {" -o app/sculpt-cli/sculpt-cli ", " -o app/sculpt-cli/sculpt-cli-runtime.so ",
                                   " -o lib/sculpt/sculpt-sentencepiece.so "})
            QVERIFY2(all.contains(QLatin1String(output)), output);
        QVERIFY(!all.contains(QLatin1String(" -o app/sculpt/sculpt ")));
        QVERIFY(!QFile::exists(tree_.filePath("tests")));
    }

    void namesNoQt()
    {
        const QRegularExpression qt(QStringLiteral("qt6|libQt|QCustomPlot"), QRegularExpression::CaseInsensitiveOption);
        for (const QString &command : commands_)
            QVERIFY2(!qt.match(command).hasMatch(), qPrintable(command));
    }

    // The core is compiled only once in CI, in this tree: what the headless tree would compile
    // and link, this tree compiled and linked with the very same command.
    void everyCommandRanInThisTree()
    {
        const QStringList here = commandsOf(SCULPT_BUILD_DIR);
        const QSet<QString> ran(here.begin(), here.end());
        int checked = 0;
        for (const QString &command : commands_) {
            QVERIFY2(ran.contains(command), qPrintable("not run in this tree: " + command));
            ++checked;
        }
        QVERIFY(checked > 100); // the core, the passes and the cli, not a handful
    }
};

QTEST_GUILESS_MAIN(TestHeadlessBuild)
#include "test_headless_build.moc"
