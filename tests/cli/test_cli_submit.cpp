// `sculpt-cli submit`, `jobs` and `cancel` on a real one-node Slurm cluster the test starts
// (tests/common/slurm_cluster.h; skipped when it cannot): a four-task spectra array merged home
// with `jobs --merge` equals a local run's workspace spectrum by spectrum, and merging again adds
// nothing; a SoCo pass and an evaluation as jobs are recorded as local runs record them; an array
// cancelled while running merges nothing, leaving the workspace byte for byte; no cluster
// settings, no Slurm, --array 0, a missing input and a model that does not open are each one
// line, status 2, and nothing submitted.

#include "cli_runner.h"
#include "slurm_cluster.h"

#include "analysis/content_hash.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <memory>

using sculpt::test::checkRefused;
using sculpt::test::CliRun;
using sculpt::test::SlurmCluster;

namespace {

const QString kModel = QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama");
constexpr int kShards = 4;
constexpr int kWaitMs = 120000;

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString write(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(text);
    return path;
}

CliRun runCli(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SCULPT_CLI_PATH), args);
    if (!p.waitForFinished(60000))
        return {-1, {}, "did not finish"};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

QJsonObject jsonOf(const CliRun &run) { return QJsonDocument::fromJson(run.out).object(); }

// A few documents between blank lines, in the demo model's English.
QByteArray calibrationText()
{
    QByteArray text;
    for (int d = 0; d < 6; ++d)
        text += "A fortune " + QByteArray::number(d) + ": the early bird gets the worm, but the second mouse gets the "
                "cheese. You will meet a tall dark stranger.\n\n";
    return text;
}

} // namespace

class TestCliSubmit : public QObject {
    Q_OBJECT
    QTemporaryDir scratch_;
    std::unique_ptr<SlurmCluster> cluster_;
    QString config_;     // runs sculpt-cli itself
    QString slowConfig_; // runs a sculpt-cli whose tasks linger after their part is written

    QString path(const QString &name) const { return scratch_.filePath(name); }

    // A cluster.json for the test's cluster; the shared folder's name has a space, as a user's may.
    QString writeConfig(const QString &name, const QString &shared, const QString &cli) const
    {
        QJsonObject c{{"shared_folder", path(shared)}, {"sculpt_cli", cli}, {"partition", cluster_->partition()}};
        return write(path(name), QJsonDocument(c).toJson());
    }

    CliRun cli(const QStringList &args) const { return runCli(args, cluster_->environment()); }

    // The run `id` as `jobs --json` shows it.
    QJsonObject jobOf(const QString &config, const QString &id) const
    {
        const CliRun run = cli({"jobs", "--cluster", config, "--json"});
        if (run.exitCode != 0)
            qWarning("jobs: %s", run.err.constData());
        for (const auto &r : jsonOf(run)["runs"].toArray())
            if (r.toObject()["id"].toString() == id)
                return r.toObject();
        return {};
    }

    // Polls `jobs` until `holds`; the last answer either way.
    QJsonObject waitFor(const QString &config, const QString &id, const std::function<bool(const QJsonObject &)> &holds) const
    {
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const QJsonObject job = jobOf(config, id);
            if (holds(job) || clock.elapsed() > kWaitMs)
                return job;
            QThread::msleep(500);
        }
    }

    int runCount(const QString &shared) const
    {
        return int(QDir(path(shared) + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(scratch_.isValid());
        cluster_ = std::make_unique<SlurmCluster>(scratch_.path());
        QString why;
        if (!cluster_->start(&why))
            QSKIP(qPrintable(why));
        config_ = writeConfig("cluster.json", "shared folder", SCULPT_CLI_PATH);
        // Its part is whole before it sleeps: a cancel cuts it off with the part on disk but unmarked.
        const QString slowCli = write(path("slow-sculpt-cli"), "#!/bin/sh\n\"" SCULPT_CLI_PATH "\" \"$@\" || exit $?\nexec sleep 60\n");
        QVERIFY(QFile::setPermissions(slowCli, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        slowConfig_ = writeConfig("slow-cluster.json", "shared slow", slowCli);
    }

    void cleanupTestCase() { cluster_.reset(); }

    void arrayMergedEqualsLocalRun()
    {
        const QString local = path("local.h5");
        const QString merged = path("merged.h5");
        const CliRun localRun = runCli({"spectra", kModel, "--exact", "--workspace", local}, cluster_->environment());
        QVERIFY2(localRun.exitCode == 0, localRun.err.constData());

        const CliRun submitted = cli({"submit", "spectra", kModel, "--array", QString::number(kShards), "--exact",
                                      "--workspace", merged, "--cluster", config_, "--json"});
        QVERIFY2(submitted.exitCode == 0, submitted.err.constData());
        const QJsonObject run = jsonOf(submitted);
        const QString id = run["id"].toString();
        const QString folder = run["folder"].toString();
        QVERIFY(folder.startsWith(path("shared folder/runs/")));
        QVERIFY(!run["slurm_job"].toString().isEmpty());
        // Kept beside the run for the user to read.
        QVERIFY(contents(folder + "/spectra.sbatch").contains("#SBATCH --array=0-3"));
        QCOMPARE(QJsonDocument::fromJson(contents(folder + "/run.json")).object()["slurm_job"], run["slurm_job"]);

        const QJsonObject done = waitFor(config_, id, [](const QJsonObject &job) {
            return job["ended"].toBool();
        });
        QVERIFY2(done["state"] == "COMPLETED", QJsonDocument(done).toJson().constData());
        QCOMPARE(done["done"].toInt(), kShards);
        QCOMPARE(done["tasks"].toArray().size(), kShards);
        for (const auto &task : done["tasks"].toArray())
            QCOMPARE(task.toObject()["state"].toString(), "COMPLETED");
        QVERIFY(!QFile::exists(merged)); // nothing comes home before --merge

        const CliRun merging = cli({"jobs", "--merge", "--cluster", config_, "--json"});
        QVERIFY2(merging.exitCode == 0, merging.err.constData());

        const auto checkpoint = sculpt::openCheckpoint(kModel.toStdString());
        const sculpt::ModelIdentity identity{kModel.toStdString(), sculpt::modelFingerprint(*checkpoint)};
        const sculpt::Workspace expected = sculpt::Workspace::open(local.toStdString(), identity);
        const sculpt::Workspace got = sculpt::Workspace::open(merged.toStdString(), identity);
        QVERIFY(!expected.tensors().empty());
        QCOMPARE(got.tensors(), expected.tensors());
        for (const std::string &tensor : expected.tensors()) {
            const std::string hash = sculpt::contentHash(checkpoint->bytes(checkpoint->at(tensor)));
            QCOMPARE(got.methods(tensor, hash), std::vector<std::string>{"exact"});
            const auto a = expected.spectrum(tensor, "exact", hash);
            const auto b = got.spectrum(tensor, "exact", hash);
            QVERIFY2(a && b, tensor.c_str());
            QCOMPARE(b->contentHash, a->contentHash);
            QCOMPARE(b->rows, a->rows);
            QCOMPARE(b->cols, a->cols);
            QVERIFY2(b->singularValues == a->singularValues, tensor.c_str());
        }

        // sbatch took the quoted paths with their space: each task logged where the script says.
        for (int task = 0; task < kShards; ++task)
            QVERIFY(QFile::exists(QString("%1/logs/task-%2.log").arg(folder).arg(task)));

        // Merging again finds everything there.
        const CliRun again = cli({"jobs", "--merge", "--cluster", config_, "--json"});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const QJsonObject report = jsonOf(again)["runs"].toArray()[0].toObject()["merged"].toObject();
        QCOMPARE(report["added"].toInt(), 0);
        QCOMPARE(size_t(report["skipped"].toInt()), expected.tensors().size());
        QCOMPARE(sculpt::Workspace::open(merged.toStdString(), identity).tensors(), expected.tensors());

        const CliRun text = cli({"jobs", "--cluster", config_});
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY2(text.out.contains(id.toUtf8()) && text.out.contains("COMPLETED, 4/4 tasks finished"), text.out.constData());
    }

    // Once slurmctld has forgotten a job (MinJobAge after its end), the parts tell its tasks' end.
    void forgottenJobIsWhatItsPartsShow()
    {
        const QJsonArray runs = jsonOf(cli({"jobs", "--cluster", config_, "--json"}))["runs"].toArray();
        QVERIFY(!runs.isEmpty());
        const QString folder = runs[0].toObject()["folder"].toString();
        const QString copy = path("shared folder/runs/forgotten");
        QVERIFY(QDir().mkpath(copy + "/parts") && QDir().mkpath(copy + "/logs"));
        for (int shard = 1; shard <= kShards; ++shard)
            for (const char *suffix : {".sculpt", ".done"})
                QVERIFY(QFile::copy(folder + "/parts/part-" + QString::number(shard) + suffix,
                                    copy + "/parts/part-" + QString::number(shard) + suffix));
        QJsonObject record = QJsonDocument::fromJson(contents(folder + "/run.json")).object();
        record["id"] = "forgotten";
        record["slurm_job"] = "999999"; // no such job
        write(copy + "/run.json", QJsonDocument(record).toJson());

        const QJsonObject job = jobOf(config_, "forgotten");
        QCOMPARE(job["slurm_knows"].toBool(), false);
        QCOMPARE(job["state"].toString(), "COMPLETED");
        QCOMPARE(job["done"].toInt(), kShards);
        const CliRun text = cli({"jobs", "--cluster", config_});
        QVERIFY2(text.out.contains("Slurm no longer knows this job"), text.out.constData());
        QVERIFY(QDir(copy).removeRecursively());
    }

    // A task that fails is FAILED, its log's tail shown, and nothing of it merged.
    void failedTaskShowsItsLog()
    {
        const QString failing = write(path("failing-sculpt-cli"), "#!/bin/sh\necho \"shard $5 went wrong\" >&2\nexit 3\n");
        QVERIFY(QFile::setPermissions(failing, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QString config = writeConfig("failing-cluster.json", "shared failing", failing);
        const CliRun submitted = cli({"submit", "spectra", kModel, "--array", "1", "--workspace", path("failing.h5"),
                                      "--cluster", config, "--json"});
        QVERIFY2(submitted.exitCode == 0, submitted.err.constData());
        const QString id = jsonOf(submitted)["id"].toString();
        const QJsonObject job = waitFor(config, id, [](const QJsonObject &j) {
            return j["ended"].toBool();
        });
        QVERIFY2(job["state"] == "FAILED", QJsonDocument(job).toJson().constData());
        const QJsonObject task = job["tasks"].toArray()[0].toObject();
        QCOMPARE(task["state"].toString(), "FAILED");
        QVERIFY2(task["log_tail"].toString().contains("shard 1/1 went wrong"), qPrintable(task["log_tail"].toString()));
        const CliRun text = cli({"jobs", "--merge", "--cluster", config});
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY2(text.out.contains("shard 1/1 went wrong"), text.out.constData());
        QVERIFY(!QFile::exists(path("failing.h5")));
    }

    // One task of three fails; resubmitted alone once its cause is mended, it finishes, and the
    // merged workspace equals a local run's.
    void failedTaskResubmittedAlone()
    {
        const QString mended = path("mended");
        const QString flaky = write(path("flaky-sculpt-cli"),
                                    "#!/bin/sh\nif [ \"$5\" = 2/3 ] && [ ! -e \"" + mended.toUtf8() +
                                        "\" ]; then echo \"shard $5 went wrong\" >&2; exit 3; fi\nexec \"" SCULPT_CLI_PATH
                                        "\" \"$@\"\n");
        QVERIFY(QFile::setPermissions(flaky, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QString config = writeConfig("flaky-cluster.json", "shared flaky", flaky);
        const QString merged = path("resubmitted.h5");
        const CliRun submitted = cli({"submit", "spectra", kModel, "--array", "3", "--workspace", merged, "--cluster",
                                      config, "--json"});
        QVERIFY2(submitted.exitCode == 0, submitted.err.constData());
        const QString id = jsonOf(submitted)["id"].toString();
        const auto ended = [](const QJsonObject &j) {
            return j["ended"].toBool();
        };
        const QJsonObject failed = waitFor(config, id, ended);
        QVERIFY2(failed["state"] == "FAILED", QJsonDocument(failed).toJson().constData());
        QCOMPARE(failed["done"].toInt(), 2);

        write(mended, "");
        const CliRun again = cli({"resubmit", id, "--cluster", config, "--json"});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(jsonOf(again)["tasks"].toArray(), QJsonArray{1});
        const QString job = jsonOf(again)["slurm_job"].toString();
        const QJsonObject done = waitFor(config, id, ended);
        QVERIFY2(done["state"] == "COMPLETED", QJsonDocument(done).toJson().constData());
        QCOMPARE(done["done"].toInt(), 3);
        const QJsonArray tasks = done["tasks"].toArray();
        QCOMPARE(tasks[1].toObject()["slurm_job"].toString(), job);
        QVERIFY(tasks[0].toObject()["slurm_job"].toString() != job); // the others kept their first run

        QVERIFY(cli({"jobs", "--merge", "--cluster", config}).exitCode == 0);
        const QString local = path("resubmitted-local.h5");
        QVERIFY(runCli({"spectra", kModel, "--exact", "--workspace", local}, cluster_->environment()).exitCode == 0);
        const auto checkpoint = sculpt::openCheckpoint(kModel.toStdString());
        const sculpt::ModelIdentity identity{kModel.toStdString(), sculpt::modelFingerprint(*checkpoint)};
        QCOMPARE(sculpt::Workspace::open(merged.toStdString(), identity).tensors(),
                 sculpt::Workspace::open(local.toStdString(), identity).tensors());

        checkRefused(cli({"resubmit", id, "--cluster", config}), "nothing to resubmit");
    }

    void cancelledArrayMergesNothing()
    {
        // The model's workspace holds something already: it must come out byte for byte.
        const QString workspace = path("cancelled.h5");
        const CliRun seeded = runCli({"spectra", kModel, "--exact", "--match", "layers\\.0\\.mlp", "--workspace", workspace},
                                     cluster_->environment());
        QVERIFY2(seeded.exitCode == 0, seeded.err.constData());
        const QByteArray before = contents(workspace);

        const CliRun submitted = cli({"submit", "spectra", kModel, "--array", QString::number(kShards), "--exact",
                                      "--workspace", workspace, "--cluster", slowConfig_, "--json"});
        QVERIFY2(submitted.exitCode == 0, submitted.err.constData());
        const QString id = jsonOf(submitted)["id"].toString();
        const QString folder = jsonOf(submitted)["folder"].toString();
        // Running, with a part already written in full.
        const QJsonObject running = waitFor(slowConfig_, id, [&](const QJsonObject &job) {
            return job["state"] == "RUNNING" && QFile::exists(folder + "/parts/part-1.sculpt");
        });
        QVERIFY2(running["state"] == "RUNNING", QJsonDocument(running).toJson().constData());
        // The task's log carries sculpt-cli's progress lines: its part is written, so all of them.
        const QString progress = running["tasks"].toArray()[0].toObject()["progress"].toString();
        QVERIFY2(QRegularExpression("^(\\d+)/\\1 matrices").match(progress).hasMatch(), qPrintable(progress));

        const CliRun cancelled = cli({"cancel", id, "--cluster", slowConfig_});
        QVERIFY2(cancelled.exitCode == 0, cancelled.err.constData());
        const QJsonObject ended = waitFor(slowConfig_, id, [](const QJsonObject &job) {
            return job["ended"].toBool();
        });
        QVERIFY2(ended["state"] == "CANCELLED", QJsonDocument(ended).toJson().constData());
        QCOMPARE(ended["done"].toInt(), 0);

        const CliRun merging = cli({"jobs", "--merge", "--cluster", slowConfig_, "--json"});
        QVERIFY2(merging.exitCode == 0, merging.err.constData());
        QVERIFY(!jsonOf(merging)["runs"].toArray()[0].toObject().contains("merged"));
        QCOMPARE(contents(workspace), before);

        checkRefused(cli({"cancel", "no-such-run", "--cluster", slowConfig_}), "no-such-run");
    }

    // A pass as one cluster job: it trains (SoCo, a few steps a stage), its steps come back in
    // the run folder, and once merged the workspace records it as the same pass run here does.
    void compressionJobRecordedAsLocal()
    {
        const QString text = write(path("calibration.txt"), calibrationText());
        const QStringList pass = {"--method", "soco", "--ratio", "0.3", "--calib", text, "--calib-count", "4",
                                  "--set", "coarse_steps=3", "--set", "refine_steps=3", "--set", "sparsify_steps=3"};
        const QString local = path("pass-local.h5");
        const CliRun localRun = runCli(QStringList{"compress", kModel} + pass + QStringList{"-o", path("pass-local"),
                                       "--workspace", local}, cluster_->environment());
        QVERIFY2(localRun.exitCode == 0, localRun.err.constData());

        const QString merged = path("pass-cluster.h5");
        // A relative output folder is the submitting side's: the job writes it there.
        QProcess submit;
        submit.setProcessEnvironment(cluster_->environment());
        submit.setWorkingDirectory(scratch_.path());
        submit.start(SCULPT_CLI_PATH, QStringList{"submit", "compress", kModel} + pass +
                                          QStringList{"-o", "pass-cluster", "--workspace", merged, "--cluster", config_, "--json"});
        QVERIFY(submit.waitForFinished(60000));
        QVERIFY2(submit.exitCode() == 0, submit.readAllStandardError().constData());
        const QJsonObject submitted = QJsonDocument::fromJson(submit.readAllStandardOutput()).object();
        const QString id = submitted["id"].toString();
        const QString folder = submitted["folder"].toString();
        QVERIFY(contents(folder + "/compress.sbatch").contains("#SBATCH --job-name=sculpt-compress"));

        const QJsonObject done = waitFor(config_, id, [](const QJsonObject &job) {
            return job["ended"].toBool();
        });
        QVERIFY2(done["state"] == "COMPLETED", QJsonDocument(done).toJson().constData());
        QCOMPARE(done["kind"].toString(), "compress");
        QCOMPARE(done["method"].toString(), "soco");
        QVERIFY(QFile::exists(path("pass-cluster/config.json")));
        // Every training step, as the local --log would have it.
        const QList<QByteArray> steps = contents(folder + "/logs/steps.jsonl").trimmed().split('\n');
        QCOMPARE(steps.size(), 9);
        QCOMPARE(QJsonDocument::fromJson(steps.last()).object()["stage"].toString(), "sparsify");
        QVERIFY(contents(folder + "/logs/task-0.log").contains("progress "));

        const CliRun merging = cli({"jobs", "--merge", "--cluster", config_, "--json"});
        QVERIFY2(merging.exitCode == 0, merging.err.constData());
        const auto checkpoint = sculpt::openCheckpoint(kModel.toStdString());
        const sculpt::ModelIdentity identity{kModel.toStdString(), sculpt::modelFingerprint(*checkpoint)};
        const auto expected = sculpt::Workspace::open(local.toStdString(), identity).passes();
        const auto got = sculpt::Workspace::open(merged.toStdString(), identity).passes();
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].summary.method, expected[0].summary.method);
        QCOMPARE(got[0].summary.ratio, expected[0].summary.ratio);
        QCOMPARE(got[0].summary.layers.size(), expected[0].summary.layers.size());
        for (size_t l = 0; l < got[0].summary.layers.size(); ++l)
            QCOMPARE(got[0].summary.layers[l].rank, expected[0].summary.layers[l].rank);
        QCOMPARE(got[0].log.size(), expected[0].log.size());
        QCOMPARE(got[0].settings, expected[0].settings);
        QCOMPARE(QString::fromStdString(got[0].exportPath), path("pass-cluster"));

        // Merged once, whatever the number of merges.
        const QByteArray bytes = contents(merged);
        QVERIFY(cli({"jobs", "--merge", "--cluster", config_}).exitCode == 0);
        QCOMPARE(contents(merged), bytes);
    }

    // An evaluation as one job: the same number a local run gives, recorded once merged.
    void evaluationJobRecordedAsLocal()
    {
        const QString text = write(path("evaluation.txt"), calibrationText());
        const QString local = path("eval-local.h5");
        const CliRun localRun = runCli({"eval", kModel, "--text", text, "--workspace", local}, cluster_->environment());
        QVERIFY2(localRun.exitCode == 0, localRun.err.constData());
        const QString merged = path("eval-cluster.h5");
        const CliRun submitted = cli({"submit", "eval", kModel, "--text", text, "--workspace", merged, "--cluster", config_,
                                      "--gpus", "0", "--json"});
        QVERIFY2(submitted.exitCode == 0, submitted.err.constData());
        const QString id = jsonOf(submitted)["id"].toString();
        const QJsonObject done = waitFor(config_, id, [](const QJsonObject &job) {
            return job["ended"].toBool();
        });
        QVERIFY2(done["state"] == "COMPLETED", QJsonDocument(done).toJson().constData());
        QCOMPARE(done["method"].toString(), "perplexity");
        const CliRun merging = cli({"jobs", "--merge", "--cluster", config_});
        QVERIFY2(merging.exitCode == 0, merging.err.constData());
        const auto checkpoint = sculpt::openCheckpoint(kModel.toStdString());
        const sculpt::ModelIdentity identity{kModel.toStdString(), sculpt::modelFingerprint(*checkpoint)};
        const auto expected = sculpt::Workspace::open(local.toStdString(), identity).evaluations();
        const auto got = sculpt::Workspace::open(merged.toStdString(), identity).evaluations();
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].metric, std::string("perplexity"));
        QCOMPARE(got[0].value, expected[0].value);
        QCOMPARE(got[0].count, expected[0].count);
        QCOMPARE(got[0].modelHash, expected[0].modelHash);
    }

    // One damaged run.json hides no other run, and says which it is.
    void unreadableRunIsSkipped()
    {
        const QString damaged = path("shared folder/runs/damaged");
        QVERIFY(QDir().mkpath(damaged));
        write(damaged + "/run.json", "{\"id\": 3");
        const CliRun run = cli({"jobs", "--cluster", config_, "--json"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.contains("skipped") && run.err.contains("damaged/run.json"), run.err.constData());
        QVERIFY(!jsonOf(run)["runs"].toArray().isEmpty());
        QVERIFY(QDir(damaged).removeRecursively());
    }

    void refusalsSubmitNothing()
    {
        const int runs = runCount("shared folder");
        const QString merged = path("refused.h5");

        QProcessEnvironment noConfig = cluster_->environment();
        noConfig.remove("SCULPT_CLUSTER_CONFIG");
        noConfig.insert("XDG_CONFIG_HOME", path("no-config"));
        checkRefused(runCli({"submit", "spectra", kModel, "--array", "2", "--workspace", merged}, noConfig),
                     "no cluster configuration");

        QProcessEnvironment noSlurm = cluster_->environment();
        QVERIFY(QDir().mkpath(path("empty-bin")));
        noSlurm.insert("PATH", path("empty-bin"));
        checkRefused(runCli({"submit", "spectra", kModel, "--array", "2", "--workspace", merged, "--cluster", config_}, noSlurm),
                     "Slurm is not installed");

        // Slurm's own refusal, in its words, as a failed submission (status 1: Slurm may refuse
        // for reasons of its own, a controller away): a partition this cluster does not have.
        QJsonObject elsewhere{{"shared_folder", path("shared folder")}, {"sculpt_cli", SCULPT_CLI_PATH}, {"partition", "nowhere"}};
        const QString rejected = write(path("rejected.json"), QJsonDocument(elsewhere).toJson());
        const CliRun refusedBySlurm =
            cli({"submit", "spectra", kModel, "--array", "2", "--workspace", merged, "--cluster", rejected});
        QCOMPARE(refusedBySlurm.exitCode, 1);
        QVERIFY(refusedBySlurm.out.isEmpty());
        QVERIFY2(refusedBySlurm.err.trimmed().count('\n') == 0 && refusedBySlurm.err.contains("invalid partition"),
                 refusedBySlurm.err.constData());

        checkRefused(cli({"submit", "spectra", kModel, "--array", "0", "--cluster", config_}), "--array");
        checkRefused(cli({"submit", "eval", kModel, "--text", path("no-such.txt"), "--cluster", config_}), "no-such.txt");
        checkRefused(cli({"submit", "compress", kModel, "--method", "svd", "--ratio", "0.3", "-o", path("o"), "--log",
                          path("l"), "--cluster", config_}),
                     "--log");
        checkRefused(cli({"submit", "eval", kModel, "--text", kModel, "--gpus", "many", "--cluster", config_}), "--gpus");
        checkRefused(cli({"submit", "train", kModel, "--cluster", config_}), "not 'train'");

        const QString broken = write(path("broken.safetensors"), "not a checkpoint");
        checkRefused(cli({"submit", "spectra", broken, "--array", "2", "--cluster", config_}), broken);

        QCOMPARE(runCount("shared folder"), runs);
        QVERIFY(!QFile::exists(merged));
    }
};

QTEST_GUILESS_MAIN(TestCliSubmit)
#include "test_cli_submit.moc"
