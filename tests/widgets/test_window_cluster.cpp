// Analyse ▸ Compute spectra on cluster… in the real window, on a real one-node Slurm the test
// starts (tests/common/slurm_cluster.h; skipped when it cannot): the array's job in the Jobs
// panel follows Slurm's states to its end, its parts come home into the model's workspace
// equal to a local run's, and the spectrum plot shows them without a click; Cancel scancels
// a running array and merges nothing; reopening the model brings home a run that ended while
// the window was away; an evaluation and a pass run as jobs and come home; Cluster settings… writes the file sculpt-cli reads; no cluster stated
// fails the job in one line.

#include "background_job.h"
#include "cluster_controller.h"
#include "cluster_settings_dialog.h"
#include "compress_dialog.h"
#include "compression_controller.h"
#include "demo_model.h"
#include "evaluation_table.h"
#include "export_dialog.h"
#include "jobs_panel.h"
#include "layer_overview.h"
#include "metrics_table.h"
#include "main_window.h"
#include "slurm_cluster.h"
#include "test_settings.h"
#include "window_driving.h"

#include "analysis/content_hash.h"
#include "cluster/cluster_config.h"
#include "cluster/run_folder.h"
#include "cluster/run_status.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace sculpt;
using namespace sculpt::test;

namespace {

// The bundled demo LLaMA, beside the demo ViT the window opens by default.
QString demoLlama() { return QDir::cleanPath(demoModelPath() + "/../fortunes-llama"); }

QString write(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(text);
    return path;
}

Workspace openWorkspace(const QString &path)
{
    const auto checkpoint = openCheckpoint(demoLlama().toStdString());
    return Workspace::open(path.toStdString(), {demoLlama().toStdString(), modelFingerprint(*checkpoint)});
}

} // namespace

class TestWindowCluster : public QObject {
    Q_OBJECT
    QTemporaryDir scratch_;
    std::unique_ptr<SlurmCluster> cluster_;
    QString local_; // a local run's workspace, what the merged ones must equal

    QString path(const QString &name) const { return scratch_.filePath(name); }

    // The window's cluster: a cluster.json in $SCULPT_CLUSTER_CONFIG whose nodes run `cli`.
    void stateCluster(const QString &shared, const QString &cli) const
    {
        const QJsonObject c{{"shared_folder", path(shared)}, {"sculpt_cli", cli}, {"partition", cluster_->partition()}};
        qputenv("SCULPT_CLUSTER_CONFIG", write(path(shared + ".json"), QJsonDocument(c).toJson()).toUtf8());
    }

    QString workspaceOf(const MainWindow &window) const { return window.workspacePath(demoLlama()); }

private Q_SLOTS:
    void initTestCase()
    {
        isolateSettings();
        QVERIFY(scratch_.isValid());
        cluster_ = std::make_unique<SlurmCluster>(scratch_.path());
        QString why;
        if (!cluster_->start(&why))
            QSKIP(qPrintable(why));
        // The window asks Slurm itself: its own environment names the cluster.
        qputenv("SLURM_CONF", cluster_->confPath().toUtf8());
        local_ = path("local.h5");
        QProcess local;
        local.start(SCULPT_CLI_PATH, {"spectra", demoLlama(), "--exact", "--workspace", local_});
        QVERIFY(local.waitForFinished(60000) && local.exitCode() == 0);
    }

    void cleanupTestCase() { cluster_.reset(); }

    void arrayComesHomeIntoTheViews()
    {
        stateCluster("shared", SCULPT_CLI_PATH);
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        window.cluster()->setPollSeconds(0.2);
        QAction *action = menuAction(window, "Compute spectra on cluster…");
        QVERIFY(action && action->isEnabled());

        BackgroundJob *job = waitForEnd(window.cluster()->submitSpectra(3), 120000);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary() + "\n" + job->log().join('\n')));
        QVERIFY2(job->log().join('\n').contains("task 2 COMPLETED"), qPrintable(job->log().join('\n')));
        QCOMPARE(job->progress().done, 3L);
        QVERIFY(window.jobsPanel()->jobs().contains(job));

        const Workspace merged = openWorkspace(workspaceOf(window));
        const Workspace local = openWorkspace(local_);
        QVERIFY(!local.tensors().empty());
        QCOMPARE(merged.tensors(), local.tensors());
        // The views reload as parts merge: the layer table, empty before, lists the matrices.
        QTRY_VERIFY_WITH_TIMEOUT(window.layerOverview()->metricsModel()->rowCount() > 0, 20000);
    }

    // Cancel in the Jobs panel is scancel: the array ends CANCELLED and nothing comes home.
    void cancelStopsTheArray()
    {
        // Each task sleeps before its shard: cancelled while running, none has a part.
        const QString slow = write(path("slow-sculpt-cli"), "#!/bin/sh\nsleep 60\nexec \"" SCULPT_CLI_PATH "\" \"$@\"\n");
        QVERIFY(QFile::setPermissions(slow, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        stateCluster("shared-slow", slow);
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        window.cluster()->setPollSeconds(0.2);
        BackgroundJob *job = window.cluster()->submitSpectra(2);
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(job->log().join(QChar(10)).contains("RUNNING"), 60000);
        job->cancel();
        QVERIFY(waitForEnd(job));
        QCOMPARE(job->state(), BackgroundJob::State::Cancelled);
        QVERIFY2(job->log().join('\n').contains("scancel"), qPrintable(job->log().join('\n')));

        std::vector<std::string> unreadable;
        const auto runs = listRuns(path("shared-slow").toStdString(), unreadable);
        QCOMPARE(runs.size(), size_t(1));
        RunStatus status;
        QTRY_VERIFY_WITH_TIMEOUT((status = runStatus(runs[0])).ended, 30000);
        QCOMPARE(QString::fromStdString(status.state), "CANCELLED");
        QVERIFY(!QFile::exists(workspaceOf(window)));
    }

    // A run that ended while no window followed it comes home when the model is opened.
    void reopeningBringsHomeWhatEnded()
    {
        stateCluster("shared-away", SCULPT_CLI_PATH);
        QTemporaryDir dir;
        const QString workspace = dir.filePath("workspaces/away.h5");
        QProcess submit;
        submit.start(SCULPT_CLI_PATH, {"submit", "spectra", demoLlama(), "--array", "2", "--workspace", workspace, "--json"});
        QVERIFY(submit.waitForFinished(60000) && submit.exitCode() == 0);
        std::vector<std::string> unreadable;
        const auto runs = listRuns(path("shared-away").toStdString(), unreadable);
        QCOMPARE(runs.size(), size_t(1));
        QTRY_VERIFY_WITH_TIMEOUT(runStatus(runs[0]).ended, 60000);
        QVERIFY(!QFile::exists(workspace));

        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        // The run names this workspace: the window's own path for the model is another.
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(workspace), 30000);
        QCOMPARE(openWorkspace(workspace).tensors(), openWorkspace(local_).tensors());
    }

    // Evaluate ▸ Run on cluster: one job, its record merged into the workspace and shown in the
    // Evaluations table, the same number `sculpt-cli eval` gives here.
    void evaluationComesHome()
    {
        stateCluster("shared-eval", SCULPT_CLI_PATH);
        const QString text = write(path("fortunes.txt"), "A fortune: the early bird gets the worm.\n\n"
                                                         "You will meet a tall dark stranger.\n\n");
        QProcess local;
        local.start(SCULPT_CLI_PATH, {"eval", demoLlama(), "--text", text, "--workspace", path("eval-local.h5"), "--json"});
        QVERIFY(local.waitForFinished(60000) && local.exitCode() == 0);
        const double expected = QJsonDocument::fromJson(local.readAllStandardOutput()).object()["perplexity"].toDouble();

        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        window.cluster()->setPollSeconds(0.2);
        EvaluationRequest request;
        request.text = text.toStdString();
        BackgroundJob *job = waitForEnd(window.cluster()->submitEvaluation(request), 120000);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary() + "\n" + job->log().join('\n')));
        const auto evaluations = openWorkspace(workspaceOf(window)).evaluations();
        QCOMPARE(evaluations.size(), size_t(1));
        QCOMPARE(evaluations[0].value, expected);
        QTRY_COMPARE_WITH_TIMEOUT(window.evaluations()->model()->rowCount(), 1, 20000);
    }

    // Compress ▸ Run on cluster: the pass runs as one job exporting where the user said; its
    // record comes home with the settings as typed and the same ranks as a local run's, and the
    // Compression view lists it as a pass whose export runs.
    void compressionComesHome()
    {
        stateCluster("shared-compress", SCULPT_CLI_PATH);
        const QString text = write(path("calibration.txt"), "A fortune: the early bird gets the worm.\n\n"
                                                            "You will meet a tall dark stranger.\n\n"
                                                            "Your hard work will pay off soon.\n\n"
                                                            "A journey of a thousand miles begins with one step.\n\n");
        QProcess local;
        local.start(SCULPT_CLI_PATH, {"compress", demoLlama(), "--method", "svd-llm", "--ratio", "0.3", "--calib", text,
                                      "--calib-count", "3", "--set", "jitter=3.3e-07", "-o", path("local-svd-llm"),
                                      "--format", "dense", "--workspace", path("compress-local.h5"), "--json"});
        QVERIFY(local.waitForFinished(120000) && local.exitCode() == 0);
        const QJsonObject expected = QJsonDocument::fromJson(local.readAllStandardOutput()).object()["ranks"].toObject();
        QVERIFY(!expected.isEmpty());

        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        window.cluster()->setPollSeconds(0.2);
        QAction *compress = menuAction(window, "Compress…");
        QVERIFY(compress && compress->isEnabled());
        compress->trigger();
        auto *dialog = window.findChild<CompressDialog *>("compressDialog");
        QVERIFY(dialog);
        dialog->setMethod("svd-llm");
        QVERIFY(!dialog->clusterButton()->isEnabled()); // no calibration text yet
        dialog->calibrationFile()->setText(text);
        dialog->calibrationCount()->setValue(3);
        dialog->ratio()->setValue(30);
        qobject_cast<QLineEdit *>(dialog->setting("jitter"))->setText("3.3e-7");
        QVERIFY(dialog->clusterButton()->isEnabled());
        dialog->clusterButton()->click();
        ExportDialog *where = nullptr;
        QTRY_VERIFY((where = window.findChild<ExportDialog *>("exportDialog")));
        QVERIFY2(where->folderField()->text().endsWith("fortunes-llama-svd-llm-30"), qPrintable(where->folderField()->text()));
        where->folderField()->setText(path("cluster-svd-llm"));
        where->formatChoice()->setCurrentIndex(where->formatChoice()->findText("dense", Qt::MatchContains));
        QCOMPARE(where->format(), ExportFormat::Dense);
        where->okButton()->click();

        QTRY_VERIFY(!window.jobsPanel()->jobs().isEmpty() &&
                    window.jobsPanel()->jobs().first()->title().contains("svd-llm on the cluster"));
        BackgroundJob *job = waitForEnd(window.jobsPanel()->jobs().first(), 180000);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary() + "\n" + job->log().join('\n')));
        const auto passes = openWorkspace(workspaceOf(window)).passes();
        QCOMPARE(passes.size(), size_t(1));
        const PassRecord &pass = passes[0];
        QCOMPARE(QString::fromStdString(pass.exportPath), path("cluster-svd-llm"));
        QCOMPARE(pass.exportFormat, std::string("dense"));
        QCOMPARE(pass.settings.at("jitter"), 3.3e-7);
        QCOMPARE(pass.summary.targetRatio, 0.3);
        QCOMPARE(pass.summary.layers.size(), size_t(expected.size()));
        for (const CompressedLayer &layer : pass.summary.layers)
            QCOMPARE(layer.rank, expected[QString::fromStdString(layer.name)].toObject()["rank"].toInteger());
        QVERIFY(QFileInfo::exists(path("cluster-svd-llm/model.safetensors")));
        QTRY_COMPARE_WITH_TIMEOUT(window.compression()->runnablePasses().size(), size_t(1), 20000);
    }

    // Analyse ▸ Cluster settings… writes what sculpt-cli reads; a bad value is named in the
    // dialog, which stays open, and the file keeps what it held.
    void settingsDialogWritesTheFile()
    {
        const QString file = path("settings/cluster.json");
        qputenv("SCULPT_CLUSTER_CONFIG", file.toUtf8());
        MainWindow window;
        QVERIFY(menuAction(window, "Cluster settings…"));
        ClusterSettingsDialog dialog(file);
        dialog.findChild<QLineEdit *>("sharedFolder")->setText(path("shared-set"));
        dialog.findChild<QLineEdit *>("partition")->setText(cluster_->partition());
        dialog.findChild<QLineEdit *>("timeLimit")->setText("00:30:00");
        dialog.findChild<QSpinBox *>("cpus")->setValue(1);
        dialog.findChild<QPlainTextEdit *>("sbatchOptions")->setPlainText("--qos=normal\n");
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const ClusterConfig read = readClusterConfig(file.toStdString(), "/x");
        QCOMPARE(QString::fromStdString(read.sharedFolder), path("shared-set"));
        QCOMPARE(read.timeLimit, std::string("00:30:00"));
        QCOMPARE(read.cpusPerTask, 1);
        QCOMPARE(read.sbatchOptions, std::vector<std::string>{"--qos=normal"});

        ClusterSettingsDialog again(file); // shows what the file holds
        QCOMPARE(again.findChild<QLineEdit *>("timeLimit")->text(), "00:30:00");
        again.findChild<QLineEdit *>("timeLimit")->setText("soon");
        const QByteArray before = [&] {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        again.accept();
        QVERIFY(again.result() != int(QDialog::Accepted));
        QVERIFY2(again.error().contains("time_limit"), qPrintable(again.error()));
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
    }

    void noClusterStatedFailsInOneLine()
    {
        qputenv("SCULPT_CLUSTER_CONFIG", path("no-such.json").toUtf8());
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        BackgroundJob *job = waitForEnd(window.cluster()->submitSpectra(2));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(job->summary().contains("no-such.json") && !job->summary().contains('\n'), qPrintable(job->summary()));
    }
};

QTEST_MAIN(TestWindowCluster)
#include "test_window_cluster.moc"
