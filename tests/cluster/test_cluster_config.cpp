// The cluster's settings as the user writes them (every value checked, a bad one named with its
// file and key; where the file is looked for) and the spectra array's batch script made from
// them: its #SBATCH lines, its array range, and its command's quoting, run by bash itself on
// paths with a space and a quote.

#include "cluster/cluster_config.h"
#include "cluster/sbatch_script.h"
#include "io/error.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdlib>

namespace {

QString write(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(text);
    return path;
}

// readClusterConfig's FileError text, or "" when it read the file.
QString refusal(const QString &path)
{
    try {
        sculpt::readClusterConfig(path.toStdString(), "/usr/bin/sculpt-cli");
    } catch (const sculpt::FileError &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// Sets an environment variable for one scope; unset (or empty) restores "none".
class Environment {
public:
    Environment(const char *name, const QString &value) : name_(name)
    {
        if (const char *old = std::getenv(name))
            old_ = old;
        if (value.isEmpty())
            ::unsetenv(name);
        else
            ::setenv(name, value.toUtf8().constData(), 1);
    }
    ~Environment()
    {
        if (old_.isEmpty())
            ::unsetenv(name_);
        else
            ::setenv(name_, old_.constData(), 1);
    }

private:
    const char *name_;
    QByteArray old_;
};

} // namespace

class TestClusterConfig : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void everySettingIsRead()
    {
        const QString path = write(dir_.filePath("full.json"), R"({
            "shared_folder": "/scratch/sculpt", "sculpt_cli": "/opt/sculpt/bin/sculpt-cli",
            "partition": "gpu", "account": "lab-1", "time_limit": "1-02:00:00",
            "cpus_per_task": 4, "gpus_per_task": 1, "memory": "16G",
            "sbatch_options": ["--qos=short", "--constraint=a100"]})");
        const sculpt::ClusterConfig c = sculpt::readClusterConfig(path.toStdString(), "/usr/bin/sculpt-cli");
        QCOMPARE(c.sharedFolder, std::string("/scratch/sculpt"));
        QCOMPARE(c.sculptCli, std::string("/opt/sculpt/bin/sculpt-cli"));
        QCOMPARE(c.partition, std::string("gpu"));
        QCOMPARE(c.account, std::string("lab-1"));
        QCOMPARE(c.timeLimit, std::string("1-02:00:00"));
        QCOMPARE(c.cpusPerTask, 4);
        QCOMPARE(c.gpusPerTask, 1);
        QCOMPARE(c.memory, std::string("16G"));
        QCOMPARE(c.sbatchOptions, (std::vector<std::string>{"--qos=short", "--constraint=a100"}));
    }

    void onlyTheSharedFolderIsRequired()
    {
        const QString path = write(dir_.filePath("least.json"), R"({"shared_folder": "/scratch/sculpt"})");
        const sculpt::ClusterConfig c = sculpt::readClusterConfig(path.toStdString(), "/usr/bin/sculpt-cli");
        QCOMPARE(c.sculptCli, std::string("/usr/bin/sculpt-cli")); // the running one
        QVERIFY(c.partition.empty() && c.account.empty() && c.timeLimit.empty() && c.memory.empty());
        QCOMPARE(c.cpusPerTask, 0);
        QVERIFY(c.sbatchOptions.empty());
    }

    void badValuesAreNamed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("named");
        QTest::newRow("not json") << QByteArray("{") << "cluster configuration";
        QTest::newRow("not an object") << QByteArray("[]") << "JSON object";
        QTest::newRow("no shared folder") << QByteArray(R"({"partition": "gpu"})") << "shared_folder: missing";
        QTest::newRow("relative shared folder") << QByteArray(R"({"shared_folder": "runs"})") << "shared_folder: must be an absolute";
        QTest::newRow("unknown key") << QByteArray(R"({"shared_folder": "/s", "cpus": 4})") << "cpus: not a cluster setting";
        QTest::newRow("cpus as text") << QByteArray(R"({"shared_folder": "/s", "cpus_per_task": "4"})") << "cpus_per_task:";
        QTest::newRow("no cpus") << QByteArray(R"({"shared_folder": "/s", "cpus_per_task": 0})") << "cpus_per_task:";
        QTest::newRow("negative gpus") << QByteArray(R"({"shared_folder": "/s", "gpus_per_task": -1})") << "gpus_per_task:";
        QTest::newRow("partition with a space") << QByteArray(R"({"shared_folder": "/s", "partition": "a b"})") << "partition:";
        QTest::newRow("two-line account") << QByteArray(R"({"shared_folder": "/s", "account": "a\nb"})") << "account:";
        QTest::newRow("time in words") << QByteArray(R"({"shared_folder": "/s", "time_limit": "2 hours"})") << "time_limit:";
        QTest::newRow("memory in words") << QByteArray(R"({"shared_folder": "/s", "memory": "lots"})") << "memory:";
        QTest::newRow("options as text") << QByteArray(R"({"shared_folder": "/s", "sbatch_options": "--qos=x"})") << "sbatch_options:";
        QTest::newRow("option not an option") << QByteArray(R"({"shared_folder": "/s", "sbatch_options": ["qos"]})") << "sbatch_options:";
        QTest::newRow("relative sculpt-cli") << QByteArray(R"({"shared_folder": "/s", "sculpt_cli": "sculpt-cli"})") << "sculpt_cli:";
    }

    void badValuesAreNamed()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, named);
        const QString path = write(dir_.filePath("bad.json"), text);
        const QString why = refusal(path);
        QVERIFY2(why.startsWith(path + ": "), qPrintable(why));
        QVERIFY2(why.contains(named), qPrintable(why));
        QVERIFY2(!why.contains('\n'), qPrintable(why));
    }

    void missingFileIsNamed() { QVERIFY(refusal(dir_.filePath("absent.json")).startsWith(dir_.filePath("absent.json"))); }

    void fileIsLookedForInOrder()
    {
        const QString home = dir_.filePath("home");
        const QString configHome = dir_.filePath("config-home");
        QVERIFY(QDir().mkpath(configHome + "/sculpt") && QDir().mkpath(home + "/.config/sculpt"));
        const QString inHome = write(home + "/.config/sculpt/cluster.json", "{}");
        const QString inConfigHome = write(configHome + "/sculpt/cluster.json", "{}");
        const Environment homeVar("HOME", home);
        {
            const Environment named("SCULPT_CLUSTER_CONFIG", "/elsewhere/cluster.json");
            const Environment xdg("XDG_CONFIG_HOME", configHome);
            QCOMPARE(sculpt::clusterConfigPath("given.json"), std::string("given.json"));
            QCOMPARE(sculpt::clusterConfigPath(""), std::string("/elsewhere/cluster.json"));
        }
        {
            const Environment named("SCULPT_CLUSTER_CONFIG", "");
            const Environment xdg("XDG_CONFIG_HOME", configHome);
            QCOMPARE(QString::fromStdString(sculpt::clusterConfigPath("")), inConfigHome);
        }
        const Environment named("SCULPT_CLUSTER_CONFIG", "");
        const Environment xdg("XDG_CONFIG_HOME", "");
        QCOMPARE(QString::fromStdString(sculpt::clusterConfigPath("")), inHome);
        QVERIFY(QFile::remove(inHome));
        try {
            sculpt::clusterConfigPath("");
            QFAIL("no file, yet a path");
        } catch (const sculpt::FileError &e) {
            QCOMPARE(QString::fromStdString(e.path()), inHome);
            QVERIFY(QString(e.what()).contains("--cluster FILE"));
        }
    }

    void scriptHasTheClustersLines()
    {
        sculpt::ClusterConfig config;
        config.sharedFolder = "/scratch";
        config.sculptCli = "/opt/sculpt-cli";
        config.partition = "gpu";
        config.account = "lab";
        config.timeLimit = "01:00:00";
        config.cpusPerTask = 2;
        config.gpusPerTask = 1;
        config.memory = "8G";
        config.sbatchOptions = {"--qos=short"};
        sculpt::BatchRequest request;
        request.command = "spectra";
        request.arguments = {"/models/m.safetensors", "--topk", "64", "--match", "attn"};
        request.runFolder = "/scratch/runs/r1";
        request.tasks = 4;
        request.sharded = true;
        const QStringList lines = QString::fromStdString(sculpt::batchScript(config, request)).split('\n');
        QCOMPARE(lines[0], "#!/bin/bash");
        for (const char *expected : {"#SBATCH --array=0-3", "#SBATCH --partition=gpu", "#SBATCH --account=lab",
                                     "#SBATCH --time=01:00:00", "#SBATCH --cpus-per-task=2", "#SBATCH --gpus-per-task=1",
                                     "#SBATCH --mem=8G", "#SBATCH --qos=short", "#SBATCH --chdir=\"/scratch/runs/r1\"",
                                     "#SBATCH --output=\"/scratch/runs/r1/logs/task-%a.log\""})
            QVERIFY2(lines.contains(expected), expected);
        // No #SBATCH line after the first command: sbatch stops reading them there.
        const qsizetype firstCommand = lines.indexOf("set -e");
        QVERIFY(firstCommand > 0);
        for (qsizetype i = firstCommand; i < lines.size(); ++i)
            QVERIFY(!lines[i].startsWith("#SBATCH"));
        QVERIFY(lines.filter("'--topk' '64' '--match' 'attn' --shard \"$part/4\"").size() == 1);
        QVERIFY(lines.contains("export SCULPT_PROGRESS=lines"));
    }

    void scriptLeavesOutWhatIsNotSet()
    {
        sculpt::ClusterConfig config;
        config.sculptCli = "/opt/sculpt-cli";
        sculpt::BatchRequest request;
        request.command = "eval";
        request.arguments = {"/m", "--text", "/t"};
        request.runFolder = "/r";
        const QString script = QString::fromStdString(sculpt::batchScript(config, request));
        QVERIFY(script.contains("#SBATCH --array=0-0\n"));
        QVERIFY(script.contains("#SBATCH --job-name=sculpt-eval\n"));
        for (const char *absent : {"--partition", "--account", "--time", "--cpus-per-task", "--gpus-per-task", "--mem=", "--shard"})
            QVERIFY2(!script.contains(absent), absent);
        QVERIFY(script.contains("'/opt/sculpt-cli' eval '/m' '--text' '/t' --workspace '/r/parts/part-'\"$part.sculpt\"\n"));
    }

    // A job's own GPU count wins over the cluster's: 0 asks for none on a GPU partition.
    void scriptTakesTheJobsGpus()
    {
        sculpt::ClusterConfig config;
        config.sculptCli = "/opt/sculpt-cli";
        config.gpusPerTask = 1;
        sculpt::BatchRequest request;
        request.command = "compress";
        request.runFolder = "/r";
        QVERIFY(QString::fromStdString(sculpt::batchScript(config, request)).contains("--gpus-per-task=1\n"));
        request.gpus = 2;
        QVERIFY(QString::fromStdString(sculpt::batchScript(config, request)).contains("--gpus-per-task=2\n"));
        request.gpus = 0;
        QVERIFY(!QString::fromStdString(sculpt::batchScript(config, request)).contains("--gpus-per-task"));
    }

    // bash runs the script's commands with a stand-in sculpt-cli that prints its arguments one a
    // line: each path arrives whole, space and quote included, and the task's shard is its own.
    void scriptQuotesEveryPath()
    {
        const QString odd = dir_.filePath("it's a folder");
        QVERIFY(QDir().mkpath(odd + "/run/parts") && QDir().mkpath(odd + "/run/logs"));
        const QString cli = write(odd + "/sculpt cli", "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        QVERIFY(QFile::setPermissions(cli, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        sculpt::ClusterConfig config;
        config.sculptCli = cli.toStdString();
        sculpt::BatchRequest request;
        request.command = "spectra";
        request.arguments = {(odd + "/my 'model'.safetensors").toStdString(), "--exact", "--match", "q_proj|k proj"};
        request.runFolder = (odd + "/run").toStdString();
        request.tasks = 4;
        request.sharded = true;
        const QString script = write(odd + "/spectra.sbatch", QByteArray::fromStdString(sculpt::batchScript(config, request)));

        QProcess bash;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SLURM_ARRAY_TASK_ID", "2");
        bash.setProcessEnvironment(env);
        bash.start("/bin/bash", {script});
        QVERIFY(bash.waitForFinished(10000));
        QCOMPARE(bash.exitCode(), 0);
        const QStringList args = QString::fromUtf8(bash.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(args, (QStringList{"spectra", odd + "/my 'model'.safetensors", "--exact", "--match", "q_proj|k proj",
                                    "--shard", "3/4", "--workspace", odd + "/run/parts/part-3.sculpt"}));
        // It succeeded, so shard 3 is marked finished, and only it.
        QVERIFY(QFile::exists(QString::fromStdString(sculpt::partDoneMark(request.runFolder, 3))));
        QVERIFY(!QFile::exists(QString::fromStdString(sculpt::partDoneMark(request.runFolder, 1))));
    }

    void failedTaskMarksNothing()
    {
        sculpt::ClusterConfig config;
        config.sculptCli = "/bin/false";
        sculpt::BatchRequest request;
        request.command = "spectra";
        request.arguments = {"/m"};
        request.runFolder = dir_.filePath("failing").toStdString();
        QVERIFY(QDir().mkpath(dir_.filePath("failing/parts")));
        const QString script = write(dir_.filePath("failing.sbatch"), QByteArray::fromStdString(sculpt::batchScript(config, request)));
        QProcess bash;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SLURM_ARRAY_TASK_ID", "0");
        bash.setProcessEnvironment(env);
        bash.start("/bin/bash", {script});
        QVERIFY(bash.waitForFinished(10000));
        QVERIFY(bash.exitCode() != 0);
        QVERIFY(!QFile::exists(QString::fromStdString(sculpt::partDoneMark(request.runFolder, 1))));
    }

    // What the window's Cluster settings write reads back as itself, and a value sculpt-cli
    // would refuse is refused before the file is touched.
    void writtenSettingsReadBack()
    {
        sculpt::ClusterConfig config;
        config.sharedFolder = "/scratch/sculpt";
        config.sculptCli = "/opt/sculpt/bin/sculpt-cli";
        config.partition = "gpu";
        config.account = "lab";
        config.timeLimit = "02:00:00";
        config.cpusPerTask = 4;
        config.gpusPerTask = 1;
        config.memory = "16G";
        config.sbatchOptions = {"--qos=short", "--constraint=a100"};
        const std::string path = dir_.filePath("written/sub/cluster.json").toStdString();
        sculpt::writeClusterConfig(path, config);
        const sculpt::ClusterConfig read = sculpt::readClusterConfig(path, "/elsewhere/sculpt-cli");
        QCOMPARE(read.sharedFolder, config.sharedFolder);
        QCOMPARE(read.sculptCli, config.sculptCli);
        QCOMPARE(read.partition, config.partition);
        QCOMPARE(read.account, config.account);
        QCOMPARE(read.timeLimit, config.timeLimit);
        QCOMPARE(read.cpusPerTask, 4);
        QCOMPARE(read.gpusPerTask, 1);
        QCOMPARE(read.memory, config.memory);
        QCOMPARE(read.sbatchOptions, config.sbatchOptions);

        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray before = file.readAll();
        file.close();
        config.timeLimit = "soon";
        QString error;
        try {
            sculpt::writeClusterConfig(path, config);
        } catch (const sculpt::FileError &e) {
            error = QString::fromUtf8(e.what());
        }
        QVERIFY2(error.contains("time_limit"), qPrintable(error));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), before);
    }

    void quotingOfOneWord()
    {
        QCOMPARE(sculpt::shellQuoted("plain"), std::string("'plain'"));
        QCOMPARE(sculpt::shellQuoted("it's"), std::string("'it'\\''s'"));
        QCOMPARE(sculpt::shellQuoted(""), std::string("''"));
    }
};

QTEST_GUILESS_MAIN(TestClusterConfig)
#include "test_cluster_config.moc"
