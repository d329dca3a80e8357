// Exported folders: complete or absent under their name, never replacing what the user made,
// and what killed exports leave behind put right on the next run.

#include "file_errors.h"
#include "test_files.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/export_folder.h"
#include "io/formats.h"
#include "io/leftovers.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <sys/wait.h>
#include <unistd.h>

using namespace sculpt;

namespace {

void exportFiles(const QString &folder, const QByteArray &weights)
{
    ExportFolder out(folder.toStdString());
    test::writeFile(QString::fromStdString(out.file("model.safetensors")), weights);
    test::writeFile(QString::fromStdString(out.file("config.json")), "{}");
    out.commit();
}

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The pid of a process that has ended: leftovers named after it belong to no one.
pid_t deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

QString hostName()
{
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return QString::fromLatin1(name);
}

QStringList entries(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
}

QStringList sorted(QStringList names)
{
    names.sort();
    return names;
}

} // namespace

class TestExportFolder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesThenReplacesItsOwnExport()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        exportFiles(out, "first");
        QCOMPARE(contents(out + "/model.safetensors"), QByteArray("first"));
        exportFiles(out, "second");
        QCOMPARE(contents(out + "/model.safetensors"), QByteArray("second"));
        QCOMPARE(entries(out), (QStringList{".sculpt-export.json", "config.json", "model.safetensors"}));
        QCOMPARE(entries(dir.path()), QStringList{"out"}); // no temporary or old folder left
    }

    void neverRemovesAFileTheUserAdded()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        exportFiles(out, "first");
        test::writeFile(out + "/NOTES.txt", "mine");
        const QString why = test::fileError([&] { exportFiles(out, "second"); });
        QVERIFY2(why.contains("holds files Sculpt did not write (NOTES.txt)"), qPrintable(why));
        QCOMPARE(contents(out + "/NOTES.txt"), QByteArray("mine"));
        QCOMPARE(contents(out + "/model.safetensors"), QByteArray("first"));
        QCOMPARE(test::fileError([&] { ExportFolder::checkWritable(out.toStdString()); }), why);
    }

    void neverReplacesAFileTheUserChanged()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        exportFiles(out, "first");
        test::writeFile(out + "/config.json", "{\"edited\": true}");
        const QString why = test::fileError([&] { exportFiles(out, "second"); });
        QVERIFY2(why.contains("changed since Sculpt wrote them (config.json)"), qPrintable(why));
        QCOMPARE(contents(out + "/config.json"), QByteArray("{\"edited\": true}"));
    }

    void refusesWhatSculptDidNotWrite()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath("model");
        QVERIFY(QDir().mkpath(folder));
        test::writeFile(folder + "/config.json", "{}");
        QVERIFY(test::fileError([&] { ExportFolder::checkWritable(folder.toStdString()); }).contains("not a folder Sculpt exported"));
        const QString file = dir.filePath("file");
        test::writeFile(file, "x");
        QVERIFY(test::fileError([&] { ExportFolder::checkWritable(file.toStdString()); }).contains("exists and is not a folder"));
        QVERIFY(test::fileError([&] { ExportFolder::checkWritable(""); }).contains("needs a name"));
        QCOMPARE(contents(file), QByteArray("x"));
    }

    void refusesAReadOnlyFileSystem()
    {
        // A read-only tmpfs in a mount namespace of its own: needs root and unshare.
        QTemporaryDir dir;
        QProcess p;
        p.start("unshare", {"--mount", "sh", "-c", QString("mount -t tmpfs -o ro tmpfs '%1' && '%2' ro '%1/out'")
                                                        .arg(dir.path(), QCoreApplication::applicationFilePath())});
        QVERIFY(p.waitForFinished(30000));
        if (p.exitCode() == 77)
            QVERIFY2(false, p.readAllStandardError().constData());
        if (p.exitCode() != 0)
            QSKIP(qPrintable("no read-only file system to try (unshare --mount needs root): " + p.readAllStandardError()));
        QVERIFY2(p.readAllStandardOutput().contains("Read-only file system"), "the refusal names the reason");
    }

    void killedExportsAreCleanedUp()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        exportFiles(out, "current");
        const QString dead = hostName() + "-" + QString::number(deadPid());
        const QString live = hostName() + "-" + QString::number(::getpid() == 1 ? 2 : 1); // pid 1 always runs
        const QString otherHost = "out.partial-otherhost-" + QString::number(deadPid()); // not ours to judge
        for (const QString &name : {"out.partial-" + dead, "out.old-" + dead, "out.partial-" + live, otherHost})
            QVERIFY(QDir().mkpath(dir.filePath(name)));
        test::writeFile(dir.filePath("out.tmp-" + dead + "-AbC123"), "half");
        recoverLeftovers(out.toStdString());
        QCOMPARE(entries(dir.path()), sorted({"out", "out.partial-" + live, otherHost}));
        QCOMPARE(contents(out + "/model.safetensors"), QByteArray("current"));
    }

    // A kill between the two renames of a replace leaves the previous export only under its
    // ".old" name: the next run puts it back.
    void strandedExportIsPutBack()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        exportFiles(out, "previous");
        const QString old = dir.filePath("out.old-" + hostName() + "-" + QString::number(deadPid()));
        QVERIFY(QDir().rename(out, old));
        const QString why = test::fileError([&] { ExportFolder::checkWritable(out.toStdString()); });
        QVERIFY2(why.isEmpty(), qPrintable(why));
        // Opening the export by its name finds it again.
        QVERIFY(!test::fileError([&] { openCheckpoint(out.toStdString()); }).contains("No such file"));
        QCOMPARE(contents(out + "/model.safetensors"), QByteArray("previous"));
        QVERIFY(!QFileInfo::exists(old));
        // And a new export over it still sees its own earlier export.
        exportFiles(out, "next");
        QCOMPARE(contents(out + "/model.safetensors"), QByteArray("next"));
    }

    void atomicFileLeavesNothingWhenAbandoned()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("f.bin");
        test::writeFile(path, "before");
        {
            AtomicFile file(path.toStdString());
            const std::byte bytes[3]{};
            file.write(bytes);
        } // no commit: as a cancelled write
        QCOMPARE(entries(dir.path()), QStringList{"f.bin"});
        QCOMPARE(contents(path), QByteArray("before"));
    }
};

// Run inside the read-only namespace: prints why the export was refused.
int main(int argc, char **argv)
{
    if (argc == 3 && std::string(argv[1]) == "ro") {
        try {
            ExportFolder::checkWritable(argv[2]);
        } catch (const FileError &e) {
            std::printf("%s\n", e.what());
            return 0;
        }
        std::fprintf(stderr, "a folder on a read-only file system was accepted\n");
        return 77;
    }
    QCoreApplication app(argc, argv);
    TestExportFolder test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_export_folder.moc"
