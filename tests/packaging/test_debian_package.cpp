// The Debian packages as a user gets them: cpack makes both from this build tree, lintian and
// AppStream judge them, and the programs they hold run from a scratch root unpacked from them,
// in an environment that points nowhere near the build tree.

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

namespace {

struct Run {
    int exitCode; // -1 when it crashed or hung
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
        int timeoutMs = 300000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, {}, program.toUtf8() + " did not finish"};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

QStringList lines(const QByteArray &text) { return QString::fromUtf8(text).split('\n', Qt::SkipEmptyParts); }

// What a package installs, from `dpkg-deb -c`: "-rw-r--r-- root/root 931 2026-12-05 13:30 ./usr/…".
QSet<QString> files(const QString &deb)
{
    QSet<QString> paths;
    for (const QString &line : lines(run("dpkg-deb", {"-c", deb}).out))
        if (!line.startsWith('d'))
            paths.insert(line.section(QStringLiteral(" ./"), 1));
    return paths;
}

// A PNG's size from its IHDR chunk: width and height, big-endian, at bytes 16 and 20.
QSize pngSize(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray head = file.read(24);
    if (head.size() < 24 || !head.startsWith("\x89PNG"))
        return {};
    const auto at = [&](int i) { return qFromBigEndian<quint32>(head.constData() + i); };
    return QSize(int(at(16)), int(at(20)));
}

} // namespace

class TestDebianPackage : public QObject {
    Q_OBJECT
    QTemporaryDir scratch_;
    QString cliDeb_, guiDeb_, root_;

    QString installed(const QString &path) const { return root_ + QStringLiteral("/usr/") + path; }

    // Only the system's folders: the installed programs must find their modules and models
    // from where they are, not through anything that names the build tree.
    QProcessEnvironment cleanEnvironment() const
    {
        QProcessEnvironment env;
        env.insert("PATH", "/usr/bin:/bin");
        env.insert("HOME", scratch_.filePath("home"));
        env.insert("XDG_CONFIG_HOME", scratch_.filePath("config"));
        env.insert("XDG_DATA_HOME", scratch_.filePath("data"));
        env.insert("OMP_NUM_THREADS", "1");
        return env;
    }

private Q_SLOTS:
    void initTestCase()
    {
        for (const char *tool : {"dpkg-deb", "dpkg-shlibdeps", "lintian", "appstreamcli", "desktop-file-validate", "objdump"})
            if (QStandardPaths::findExecutable(tool).isEmpty())
                QSKIP(qPrintable(QStringLiteral("%1 is not installed (packaging/setup.sh installs it)").arg(tool)));
        QVERIFY(scratch_.isValid());
        QElapsedTimer timer;
        timer.start();
        const QString packages = scratch_.filePath("packages");
        const auto cpack = run(SCULPT_CPACK_COMMAND, {"-G", "DEB", "--config", SCULPT_BUILD_DIR "/CPackConfig.cmake", "-B", packages});
        QVERIFY2(cpack.exitCode == 0, (cpack.out + cpack.err).constData());
        qInfo("cpack: %lld ms", timer.elapsed());

        const QString arch = QString::fromUtf8(run("dpkg", {"--print-architecture"}).out).trimmed();
        cliDeb_ = QDir(packages).filePath(QStringLiteral("sculpt-cli_%1_%2.deb").arg(SCULPT_VERSION, arch));
        guiDeb_ = QDir(packages).filePath(QStringLiteral("sculpt_%1_%2.deb").arg(SCULPT_VERSION, arch));
        QVERIFY2(QFile::exists(cliDeb_) && QFile::exists(guiDeb_),
                 qPrintable(QDir(packages).entryList(QDir::Files).join(' ')));

        root_ = scratch_.filePath("root");
        for (const QString &deb : {cliDeb_, guiDeb_}) {
            const auto unpack = run("dpkg-deb", {"-x", deb, root_});
            QVERIFY2(unpack.exitCode == 0, unpack.err.constData());
        }
    }

    void cliPackageHoldsTheHeadlessTools()
    {
        const QSet<QString> cli = files(cliDeb_);
        QStringList expected{"usr/bin/sculpt-cli", "usr/lib/sculpt/sculpt-cli-runtime.so",
                             "usr/lib/sculpt/sculpt-sentencepiece.so", "usr/lib/sculpt/sculpt-sentencepiece-train.so",
                             "usr/share/man/man1/sculpt-cli.1.gz", "usr/share/doc/sculpt-cli/copyright",
                             "usr/share/doc/sculpt-cli/changelog.gz", "usr/share/sculpt/models/README.md",
                             "usr/share/sculpt/models/fortunes-llama/tokenizer.model"};
        for (const char *model : {"fashion-vit", "fashion-vit-6x8", "fortunes-llama", "fashion-llava"})
            for (const char *file : {"config.json", "model.safetensors"})
                expected << QStringLiteral("usr/share/sculpt/models/%1/%2").arg(model, file);
        for (const QString &path : expected)
            QVERIFY2(cli.contains(path), qPrintable(path));
    }

    void guiPackageHoldsTheWindow()
    {
        const QSet<QString> gui = files(guiDeb_);
        QStringList expected{"usr/bin/sculpt", "usr/share/applications/io.github.sculpt.Sculpt.desktop",
                             "usr/share/metainfo/io.github.sculpt.Sculpt.metainfo.xml",
                             "usr/share/icons/hicolor/scalable/apps/sculpt.svg", "usr/share/man/man1/sculpt.1.gz",
                             "usr/share/doc/sculpt/copyright", "usr/share/doc/sculpt/changelog.gz"};
        for (const QString &path : expected)
            QVERIFY2(gui.contains(path), qPrintable(path));
        for (int size : {16, 24, 32, 48, 64, 128, 256}) {
            const QString png = QStringLiteral("share/icons/hicolor/%1x%1/apps/sculpt.png").arg(size);
            QVERIFY2(gui.contains("usr/" + png), qPrintable(png));
            QCOMPARE(pngSize(installed(png)), QSize(size, size));
        }
        // dpkg refuses to install a package with a file another installed package owns.
        const QSet<QString> both = files(cliDeb_) & gui;
        QVERIFY2(both.isEmpty(), qPrintable(QStringList(both.begin(), both.end()).join(' ')));
    }

    void dependsComeFromTheBinaries()
    {
        const auto field = [](const QString &deb, const char *name) {
            return QString::fromUtf8(run("dpkg-deb", {"-f", deb, name}).out).trimmed();
        };
        const QString cli = field(cliDeb_, "Depends"), gui = field(guiDeb_, "Depends");
        // dpkg-shlibdeps' names for what the runtime module and the tokenizer link.
        for (const char *library : {"libtorch", "libsentencepiece", "libhdf5", "libc6"})
            QVERIFY2(cli.contains(library), qPrintable(cli));
        QVERIFY2(!cli.contains("qt", Qt::CaseInsensitive), qPrintable(cli));
        QVERIFY2(gui.contains(QStringLiteral("sculpt-cli (= %1)").arg(SCULPT_VERSION)), qPrintable(gui));
        QVERIFY2(gui.contains("libqt6widgets6") && gui.contains("libqcustomplot"), qPrintable(gui));
        QCOMPARE(field(cliDeb_, "Section"), QStringLiteral("science"));
        QCOMPARE(field(guiDeb_, "Section"), QStringLiteral("science"));
    }

    // A cluster node installs sculpt-cli alone: nothing it ships links Qt. Debian's LibTorch
    // does reach Qt 5 itself (libtorch → OpenCV's highgui), so the runtime module's whole
    // closure is only checked for Qt 6, the window's; the rest must reach no Qt at all.
    void headlessPackageNeedsNoQt()
    {
        QStringList elves{installed("bin/sculpt-cli")};
        for (const QString &module : QDir(installed("lib/sculpt")).entryList({"*.so"}, QDir::Files))
            elves << installed("lib/sculpt/" + module);
        QCOMPARE(elves.size(), 4);
        for (const QString &elf : elves) {
            const auto needed = run("objdump", {"-p", elf});
            QVERIFY2(needed.exitCode == 0 && needed.out.contains("NEEDED"), qPrintable(elf + needed.err));
            QVERIFY2(!needed.out.contains("libQt"), qPrintable(elf + ":\n" + needed.out));
            const auto ldd = run("ldd", {elf});
            QVERIFY2(ldd.exitCode == 0 && !ldd.out.contains("not found"), qPrintable(elf + ": " + ldd.out + ldd.err));
            const bool linksTorch = ldd.out.contains("libtorch");
            QVERIFY2(!ldd.out.contains(linksTorch ? "libQt6" : "libQt"), qPrintable(elf + ":\n" + ldd.out));
        }
        // The same checks see Qt where it is.
        QVERIFY(run("objdump", {"-p", installed("bin/sculpt")}).out.contains("libQt6Widgets"));
    }

    void lintianFindsNoErrors()
    {
        QElapsedTimer timer;
        timer.start();
        const auto lintian = run("lintian", {"--fail-on", "none", cliDeb_, guiDeb_});
        qInfo("lintian: %lld ms", timer.elapsed());
        QCOMPARE(lintian.exitCode, 0);
        QStringList errors;
        for (const QString &line : lines(lintian.out)) {
            qInfo("%s", qPrintable(line)); // the warnings left, for the log
            if (line.startsWith("E: "))
                errors << line;
        }
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
    }

    void desktopEntryAndMetainfoValidate()
    {
        const auto desktop = run("desktop-file-validate", {installed("share/applications/io.github.sculpt.Sculpt.desktop")});
        QVERIFY2(desktop.exitCode == 0 && desktop.out.isEmpty(), (desktop.out + desktop.err).constData());
        // The installed tree, so the metainfo's launchable is checked against the installed entry.
        const auto metainfo = run("appstreamcli", {"validate-tree", "--no-net", root_});
        QVERIFY2(metainfo.exitCode == 0 && metainfo.out.contains("io.github.sculpt.Sculpt.metainfo.xml"),
                 (metainfo.out + metainfo.err).constData());
    }

    void installedCliInspectsAnInstalledModel()
    {
        const auto inspect = run(installed("bin/sculpt-cli"), {"inspect", installed("share/sculpt/models/fortunes-llama"), "--json"},
                                 cleanEnvironment());
        QVERIFY2(inspect.exitCode == 0, inspect.err.constData());
        const QJsonObject model = QJsonDocument::fromJson(inspect.out).object();
        QCOMPARE(model["architecture"].toString(), QStringLiteral("llama"));
        QCOMPARE(model["parameters"].toInteger(), 935040); // resources/models/README.md
    }

    // eval loads the LibTorch runtime module and the SentencePiece module: the dynamic loader's
    // own account says they came from the scratch root.
    void installedCliEvaluatesWithItsOwnModules()
    {
        QProcessEnvironment env = cleanEnvironment();
        env.insert("LD_DEBUG", "files");
        const QString model = installed("share/sculpt/models/fortunes-llama");
        const auto eval = run(installed("bin/sculpt-cli"), {"eval", model, "--text", model + "/heldout.txt", "--max-docs", "20", "--json"}, env);
        QVERIFY2(eval.exitCode == 0, eval.err.right(2000).constData());
        const QJsonObject r = QJsonDocument::fromJson(eval.out).object();
        QCOMPARE(r["documents"].toInt(), 20);
        // 32.5 over all 756 held-out fortunes; a model or tokenizer read wrong is near 1,024, the vocabulary.
        const double perplexity = r["perplexity"].toDouble();
        QVERIFY2(perplexity > 5 && perplexity < 100, eval.out.constData());

        QStringList loaded;
        static const QRegularExpression dlopened(QStringLiteral(R"(file=(\S+) \[0\];  dynamically loaded by)"));
        for (auto m = dlopened.globalMatch(QString::fromUtf8(eval.err)); m.hasNext();)
            loaded << QDir::cleanPath(m.next().captured(1));
        for (const char *module : {"sculpt-cli-runtime.so", "sculpt-sentencepiece.so"})
            QVERIFY2(loaded.contains(installed("lib/sculpt/") + module), qPrintable(loaded.join('\n')));
        QVERIFY2(!eval.err.contains(SCULPT_BUILD_DIR), "a library was loaded from the build tree");
    }

    // Without a path the window opens its demo, which it must find beside itself
    // (../share/sculpt/models/fashion-vit), not in the source tree; a model it has opened goes
    // into its recent files, which is how the test sees that the open succeeded.
    void installedWindowOpensTheInstalledDemo()
    {
        QProcessEnvironment env = cleanEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        QProcess window;
        window.setProcessEnvironment(env);
        window.start(installed("bin/sculpt"), {});
        QVERIFY2(window.waitForStarted(), qPrintable(window.errorString()));
        QSettings settings(scratch_.filePath("config/Sculpt/Sculpt.conf"), QSettings::IniFormat);
        const QString demo = installed("share/sculpt/models/fashion-vit");
        const auto recent = [&] {
            settings.sync();
            return settings.value("recentFiles").toStringList();
        };
        QTRY_VERIFY_WITH_TIMEOUT(recent().value(0) == demo || window.state() == QProcess::NotRunning, 60000);
        QTest::qWait(2000); // the window keeps running after the open
        QVERIFY2(window.state() == QProcess::Running, window.readAllStandardError().constData());
        QCOMPARE(recent().value(0), demo);
        window.terminate();
        QVERIFY(window.waitForFinished(10000));
        // Offscreen Qt says only that it does not support propagateSizeHints() and which
        // runtime folder it picked; a failed load or plugin would say otherwise.
        for (const QString &line : lines(window.readAllStandardError()))
            for (const char *sign : {"rror", "annot", "ailed", "not found", "ould not"})
                QVERIFY2(!line.contains(sign), qPrintable(line));
    }
};

QTEST_GUILESS_MAIN(TestDebianPackage)
#include "test_debian_package.moc"
