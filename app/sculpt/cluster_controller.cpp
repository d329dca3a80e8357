#include "cluster_controller.h"

#include "background_job.h"
#include "cluster_settings_dialog.h"
#include "jobs_panel.h"

#include "cluster/cluster_config.h"
#include "cluster/node_arguments.h"
#include "cluster/run_status.h"
#include "cluster/slurm_client.h"
#include "cluster/submission.h"
#include "io/error.h"
#include "session/evaluation_arguments.h"
#include "session/pass_arguments.h"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QInputDialog>
#include <QSettings>
#include <QStandardPaths>
#include <QWidget>

#include <algorithm>
#include <filesystem>

namespace sculpt {
namespace {

constexpr auto kTasksKey = "cluster/spectraTasks";

// What the nodes run unless the settings name it: the sculpt-cli installed beside the window,
// or built beside it, or on PATH.
std::string defaultCli()
{
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {here.filePath("sculpt-cli"), here.filePath("../sculpt-cli/sculpt-cli")})
        if (QFileInfo(candidate).isExecutable())
            return QDir::cleanPath(candidate).toStdString();
    return QStandardPaths::findExecutable(QStringLiteral("sculpt-cli")).toStdString();
}

ClusterConfig clusterConfig() { return readClusterConfig(clusterConfigPath({}), defaultCli()); }

// Whether the user has stated a cluster at all: when not, opening a model asks Slurm nothing.
bool clusterStated()
{
    try {
        return std::filesystem::exists(clusterConfigPath({}));
    } catch (const FileError &) {
        return false;
    }
}

// Each task's state, for the log when it changes: "task 0 RUNNING, task 1 PENDING".
QString taskStates(const RunStatus &status)
{
    QStringList states;
    for (const TaskStatus &task : status.tasks)
        states << QStringLiteral("task %1 %2%3")
                      .arg(task.index)
                      .arg(QString::fromStdString(task.state))
                      .arg(task.progress.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(task.progress)));
    return states.join(QStringLiteral(", "));
}

void cancelRun(const RunRecord &run, const BackgroundJob::Log &log)
{
    for (const std::string &job : runJobs(run)) {
        cancelJob(job);
        log(QObject::tr("scancel %1").arg(QString::fromStdString(job)));
    }
}

} // namespace

ClusterController::ClusterController(JobsPanel *jobs, QWidget *window)
    : QObject(window), jobs_(jobs), window_(window),
      spectraAction_(new QAction(tr("Compute spectra on c&luster…"), this)),
      settingsAction_(new QAction(tr("Cluster se&ttings…"), this))
{
    spectraAction_->setStatusTip(tr("Exact spectra as a Slurm job array, one balanced shard a task, merged into the "
                                    "workspace as tasks finish (the cluster of ~/.config/sculpt/cluster.json)"));
    spectraAction_->setEnabled(false);
    connect(spectraAction_, &QAction::triggered, this, &ClusterController::askSpectra);
    settingsAction_->setStatusTip(tr("Where and how Slurm runs Sculpt's jobs: the shared folder, partition, time, "
                                     "CPUs, GPUs and memory per task"));
    connect(settingsAction_, &QAction::triggered, this, [this] {
        ClusterSettingsDialog dialog(QString::fromStdString(clusterConfigTarget()), window_);
        dialog.exec();
    });
}

ClusterController::~ClusterController() { leave(); }

void ClusterController::leave() { leaving_->store(true); }

void ClusterController::setModel(const QString &path, const QString &workspace)
{
    model_ = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    workspace_ = workspace;
    spectraAction_->setEnabled(!model_.isEmpty());
    if (!model_.isEmpty() && clusterStated())
        followRunsOfModel();
}

void ClusterController::askSpectra()
{
    bool ok = false;
    const int tasks = QInputDialog::getInt(window_, tr("Spectra on the cluster"),
                                           tr("Array tasks (the matrices are dealt into this many shards of "
                                              "about equal cost):"),
                                           QSettings().value(kTasksKey, 4).toInt(), 1, 10000, 1, &ok);
    if (!ok)
        return;
    QSettings().setValue(kTasksKey, tasks);
    submitSpectra(tasks);
}

BackgroundJob *ClusterController::submitSpectra(int tasks, int topK)
{
    if (model_.isEmpty())
        return nullptr;
    const RunRecord run = runOfModel("spectra", topK > 0 ? "top" + std::to_string(topK) : "exact");
    BatchRequest request;
    request.command = "spectra";
    request.arguments = spectraArguments(run.model, topK, {});
    request.tasks = tasks;
    request.sharded = true;
    return follow(tr("Spectra of %1 on the cluster").arg(QFileInfo(model_).fileName()), run, request);
}

BackgroundJob *ClusterController::submitEvaluation(const EvaluationRequest &request)
{
    if (model_.isEmpty())
        return nullptr;
    const RunRecord run = runOfModel("eval", request.isPerplexity()       ? "perplexity"
                                             : request.questions.empty() ? "accuracy"
                                                                         : "answer accuracy");
    BatchRequest batch;
    batch.command = "eval";
    batch.arguments = evaluationArguments(run.model, request); // checked in the job, off the window's thread
    return follow(tr("Evaluation of %1 on the cluster").arg(QFileInfo(model_).fileName()), run, batch);
}

BackgroundJob *ClusterController::submitCompression(const PassRequest &request, const QString &folder,
                                                    ExportFormat format)
{
    if (model_.isEmpty())
        return nullptr;
    const RunRecord run = runOfModel("compress", request.method);
    BatchRequest batch;
    batch.command = "compress";
    batch.arguments = passArguments(run.model, request, folder.toStdString(), format);
    return follow(tr("Compress %1 with %2 on the cluster").arg(QFileInfo(model_).fileName(), QString::fromStdString(request.method)),
                  run, batch);
}

RunRecord ClusterController::runOfModel(const std::string &kind, const std::string &method) const
{
    RunRecord run;
    run.kind = kind;
    run.model = model_.toStdString();
    run.workspace = workspace_.toStdString();
    run.method = method;
    return run;
}

BackgroundJob *ClusterController::follow(const QString &title, const RunRecord &record,
                                         const std::optional<BatchRequest> &request)
{
    const auto leaving = leaving_;
    const double poll = pollSeconds_;
    auto work = [this, record, request, leaving, poll](const JobContext &context, const BackgroundJob::Log &log) {
        RunRecord run = record;
        if (request) {
            const ClusterConfig config = clusterConfig();
            requireSlurm();
            BatchRequest checked = *request;
            checked.arguments = nodeArguments(checked.arguments); // the files absolute, and there
            run = submitRun(config, run, checked);
            log(tr("submitted as Slurm job %1; its files: %2")
                    .arg(QString::fromStdString(run.slurmJob), QString::fromStdString(run.folder)));
        }
        QString lastStates;
        long mergedParts = -1; // parts that could be merged, as of the last merge
        const auto onStatus = [&](const RunStatus &status) {
            context.report(status.done, long(status.tasks.size()), status.state);
            if (const QString states = taskStates(status); states != lastStates)
                log(lastStates = states);
            // A part counts once its task is COMPLETED too: the mark comes just before the end.
            const long ready = std::count_if(status.tasks.begin(), status.tasks.end(),
                                             [](const TaskStatus &t) { return t.done && t.state == "COMPLETED"; });
            if (ready == mergedParts)
                return;
            mergedParts = ready;
            const auto added = mergeFinishedParts(status);
            if (added && added->added + added->recordsAdded > 0) {
                log(tr("merged %1 spectra and %2 records into %3")
                        .arg(added->added)
                        .arg(added->recordsAdded)
                        .arg(QString::fromStdString(status.run.workspace)));
                QMetaObject::invokeMethod(this, &ClusterController::merged, Qt::QueuedConnection);
            }
        };
        RunStatus end;
        try {
            end = followRun(run, context, onStatus, poll);
        } catch (const Cancelled &) {
            if (!leaving->load()) // the user's Cancel, not the window closing
                cancelRun(run, log);
            throw;
        }
        if (end.state != "COMPLETED") {
            for (const TaskStatus &task : end.tasks)
                if (!task.logTail.empty())
                    log(tr("task %1's log ends:\n%2").arg(task.index).arg(QString::fromStdString(task.logTail)));
            throw std::runtime_error("the run ended " + end.state + ": " + std::to_string(end.done) + " of " +
                                     std::to_string(end.tasks.size()) + " tasks finished (sculpt-cli resubmit " + run.id +
                                     " runs the others again)");
        }
        return tr("%1 tasks finished and merged").arg(end.done);
    };
    auto *job = new BackgroundJob(title, std::move(work));
    jobs_->add(job);
    job->start();
    return job;
}

void ClusterController::followRunsOfModel()
{
    const std::string model = model_.toStdString();
    const QString name = QFileInfo(model_).fileName();
    auto work = [this, model, name](const JobContext &, const BackgroundJob::Log &log) {
        std::vector<std::string> unreadable;
        const ClusterConfig config = clusterConfig();
        int followed = 0;
        for (const RunRecord &run : listRuns(config.sharedFolder, unreadable)) {
            if (run.model != model)
                continue;
            const RunStatus status = runStatus(run);
            if (status.ended) { // what ended while the window was away comes home now
                const auto added = mergeFinishedParts(status);
                if (added && added->added + added->recordsAdded > 0) {
                    log(tr("%1: merged %2 spectra and %3 records")
                            .arg(QString::fromStdString(run.id))
                            .arg(added->added)
                            .arg(added->recordsAdded));
                    QMetaObject::invokeMethod(this, &ClusterController::merged, Qt::QueuedConnection);
                }
                continue;
            }
            ++followed;
            QMetaObject::invokeMethod(this, [this, run, name] {
                follow(tr("%1 of %2 on the cluster").arg(QString::fromStdString(run.kind), name), run, std::nullopt);
            }, Qt::QueuedConnection);
        }
        for (const std::string &why : unreadable)
            log(tr("skipped %1").arg(QString::fromStdString(why)));
        return tr("%1 runs still going").arg(followed);
    };
    auto *job = new BackgroundJob(tr("Cluster runs of %1").arg(name), std::move(work));
    jobs_->add(job);
    job->start();
}

} // namespace sculpt
