// The test's own one-node Slurm cluster (tests/common/slurm_cluster.h) runs true jobs: a batch
// job, a job array, a cancelled job, and a second cluster beside the first. Skipped when the
// cluster cannot start (not root, Slurm not installed).

#include "slurm_cluster.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

namespace {

using sculpt::test::SlurmCluster;

constexpr int kWaitMs = 60000;

// Job states after which nothing of the job runs any more.
const QStringList kEndStates = {"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL",
                                "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"};

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool waitForFile(const QString &path, int timeoutMs = kWaitMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!QFile::exists(path) && clock.elapsed() < timeoutMs)
        QThread::msleep(100);
    return QFile::exists(path);
}

// The job's id, or empty (with sbatch's complaint as a warning).
QString submit(const SlurmCluster &cluster, const QString &folder, const QStringList &args)
{
    const auto run = cluster.run("sbatch", QStringList{"--parsable", "--chdir=" + folder} + args);
    if (run.exitCode != 0)
        qWarning("sbatch: %s", run.err.constData());
    return QString::fromUtf8(run.out).trimmed().section(';', 0, 0);
}

// Each of the job's records' states (one per array task) once all have ended, else as they
// stand at the time limit. Accounting is off: slurmctld keeps ended jobs for MinJobAge (300 s).
QStringList endStates(const SlurmCluster &cluster, const QString &job)
{
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        const auto run = cluster.run("squeue", {"-h", "-t", "all", "-r", "-j", job, "-o", "%T"});
        const QStringList states = QString::fromUtf8(run.out).split('\n', Qt::SkipEmptyParts);
        const bool ended = !states.isEmpty() &&
                           std::all_of(states.begin(), states.end(), [](const QString &s) { return kEndStates.contains(s); });
        if (ended || clock.elapsed() > kWaitMs)
            return states;
        QThread::msleep(100);
    }
}

} // namespace

class TestSlurmCluster : public QObject {
    Q_OBJECT
    QTemporaryDir scratch_;
    std::unique_ptr<SlurmCluster> cluster_;

    QString scratch(const QString &name) const { return scratch_.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(scratch_.isValid());
        cluster_ = std::make_unique<SlurmCluster>(scratch_.path());
        QString why;
        if (!cluster_->start(&why))
            QSKIP(qPrintable(why));
        QCOMPARE(cluster_->environment().value("SLURM_CONF"), cluster_->confPath());
    }

    void cleanupTestCase() { cluster_.reset(); }

    void batchJobWritesItsFile()
    {
        const QString job = submit(*cluster_, scratch_.path(),
                                   {"--partition=" + cluster_->partition(),
                                    "--wrap=echo \"job $SLURM_JOB_ID on $SLURM_JOB_PARTITION\" > batch.txt"});
        QVERIFY(!job.isEmpty());
        QCOMPARE(endStates(*cluster_, job), QStringList{"COMPLETED"});
        QCOMPARE(readFile(scratch("batch.txt")), ("job " + job + " on " + cluster_->partition() + "\n").toUtf8());
    }

    void arrayTasksEachWriteTheirOwnFile()
    {
        const QString job = submit(*cluster_, scratch_.path(),
                                   {"--array=0-3", "--wrap=echo $SLURM_ARRAY_TASK_ID > task-$SLURM_ARRAY_TASK_ID.txt"});
        QVERIFY(!job.isEmpty());
        QCOMPARE(endStates(*cluster_, job), QStringList(4, "COMPLETED"));
        for (int task = 0; task < 4; ++task)
            QCOMPARE(readFile(scratch(QString("task-%1.txt").arg(task))), QByteArray::number(task) + "\n");
    }

    void cancelledJobStopsBeforeItsEnd()
    {
        constexpr int kSleepS = 3;
        const QString job = submit(*cluster_, scratch_.path(),
                                   {QString("--wrap=touch started; sleep %1; touch finished").arg(kSleepS)});
        QVERIFY(!job.isEmpty());
        QVERIFY(waitForFile(scratch("started")));
        QElapsedTimer sinceStart;
        sinceStart.start();
        const auto cancel = cluster_->run("scancel", {job});
        QVERIFY2(cancel.exitCode == 0, cancel.err.constData());
        QCOMPARE(endStates(*cluster_, job), QStringList{"CANCELLED"});
        QVERIFY(cluster_->run("scontrol", {"show", "job", job}).out.contains("JobState=CANCELLED"));
        // Past the time the sleep would have ended, with a margin for a busy machine.
        QVERIFY(!waitForFile(scratch("finished"), kSleepS * 1000 + 2000 - int(sinceStart.elapsed())));
    }

    void secondClusterBesideTheFirst()
    {
        QTemporaryDir otherScratch;
        QVERIFY(otherScratch.isValid());
        QString why;
        {
            SlurmCluster other(otherScratch.path());
            QVERIFY2(other.start(&why), qPrintable(why));
            QVERIFY(other.confPath() != cluster_->confPath());
            const QString job = submit(other, otherScratch.path(), {"--wrap=touch other.txt"});
            QVERIFY(!job.isEmpty());
            QCOMPARE(endStates(other, job), QStringList{"COMPLETED"});
            QVERIFY(QFile::exists(otherScratch.filePath("other.txt")));
        }
        // The first cluster still answers once the second has stopped.
        const QString job = submit(*cluster_, scratch_.path(), {"--wrap=touch after-other.txt"});
        QVERIFY(!job.isEmpty());
        QCOMPARE(endStates(*cluster_, job), QStringList{"COMPLETED"});
        QVERIFY(QFile::exists(scratch("after-other.txt")));
    }
};

QTEST_GUILESS_MAIN(TestSlurmCluster)
#include "test_slurm_cluster.moc"
