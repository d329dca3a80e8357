#include "adaptation_controller.h"

#include "adapt_dialog.h"
#include "adaptation_view.h"
#include "analysis/content_hash.h"
#include "background_job.h"
#include "bundled_passes.h"
#include "data/image_task.h"
#include "io/checkpoint.h"
#include "jobs_panel.h"
#include "prediction_grid.h"
#include "runtime/model_kind.h"
#include "session/adaptation_records.h"
#include "session/evaluation.h"
#include "session/weights_hash.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

namespace sculpt {

std::string defaultTaskDataRoot()
{
    const char *shared = std::getenv("SCULPT_SHARED");
    return shared ? shared : QDir::cleanPath(QDir::current().absoluteFilePath(QStringLiteral("../shared"))).toStdString();
}

AdaptationController::AdaptationController(AdaptationView *view, JobsPanel *jobs, QWidget *window)
    : QObject(window), view_(view), jobs_(jobs), window_(window), action_(new QAction(tr("&Adapt…"), this)),
      dataRoot_(defaultTaskDataRoot())
{
    action_->setStatusTip(tr("Fine-tune the open vision model on an image task: a linear probe, full fine-tuning, "
                             "LoRA or bottleneck adapters"));
    connect(action_, &QAction::triggered, this, &AdaptationController::askAdapt);
    last_.task = "t1";
    last_.dataRoot = dataRoot_;
    view_->setTestImageSource(
        [this](const std::string &task, int64_t count) { return testImages(task, count); });
    updateAction();
}

// Jobs hold `this` for their queued updates.
AdaptationController::~AdaptationController()
{
    if (job_)
        job_->waitForFinished();
}

void AdaptationController::setModel(std::shared_ptr<const Checkpoint> checkpoint, std::optional<ModelKind> kind,
                                    const QString &workspace)
{
    checkpoint_ = std::move(checkpoint);
    vision_ = kind == ModelKind::Vision && canEvaluate();
    workspace_ = workspace;
    view_->clear();
    updateAction();
}

void AdaptationController::setStoredRuns(std::vector<AdaptationRecord> runs) { view_->setRuns(std::move(runs)); }

bool AdaptationController::canRun() const { return checkpoint_ && vision_ && !(job_ && job_->isRunning()); }

std::string AdaptationController::modelName() const
{
    return checkpoint_ ? QFileInfo(QString::fromStdString(checkpoint_->path())).fileName().toStdString() : std::string();
}

void AdaptationController::updateAction()
{
    action_->setEnabled(canRun());
    Q_EMIT runningChanged();
}

void AdaptationController::askAdapt()
{
    if (!canRun())
        return;
    auto *dialog = new AdaptDialog(QString::fromStdString(modelName()), bundledAdapterKinds(), last_, window_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startAdapt(dialog->request()); });
    dialog->open();
}

BackgroundJob *AdaptationController::startAdapt(const AdaptRequest &request)
{
    if (!canRun())
        return nullptr;
    last_ = request;
    const QString title = tr("Adapt %1 to %2 by %3")
                              .arg(QString::fromStdString(modelName()), QString::fromStdString(request.task),
                                   QString::fromStdString(request.method));
    return start(title, request.epochs, 0, request.dataRoot,
                 [request](const Checkpoint &checkpoint, const JobContext &job,
                           const std::function<void(const AdaptationEpoch &)> &onEpoch) {
                     return adaptationRecord(request, adapt(checkpoint, request, job, onEpoch), {}, 0);
                 });
}

BackgroundJob *AdaptationController::start(const QString &title, int64_t epochs, int64_t maskedFrom,
                                           const std::string &dataRoot, Run run)
{
    if (!canRun())
        return nullptr;
    dataRoot_ = dataRoot;
    const auto checkpoint = checkpoint_;
    const QString workspace = workspace_;
    view_->startLive(title, epochs, maskedFrom);
    auto work = [this, checkpoint, workspace, run = std::move(run)](const JobContext &context,
                                                                  const BackgroundJob::Log &log) {
        const ModelIdentity identity{checkpoint->path(), modelFingerprint(*checkpoint)};
        Workspace::open(workspace.toStdString(), identity); // one that cannot take the run fails now, not after
        const auto started = std::chrono::steady_clock::now();
        const std::string hash = weightsHash(*checkpoint, context);
        AdaptationRecord record = run(*checkpoint, context, [this, checkpoint, log](const AdaptationEpoch &e) {
            QMetaObject::invokeMethod(this, [this, checkpoint, e] {
                if (checkpoint == checkpoint_)
                    view_->addEpoch(e);
            }, Qt::QueuedConnection);
            log(tr("epoch %1: training loss %2, validation accuracy %3 %")
                    .arg(e.epoch)
                    .arg(e.trainLoss, 0, 'f', 4)
                    .arg(100 * e.validationAccuracy, 0, 'f', 2));
        });
        record.modelHash = hash;
        record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        Workspace kept = Workspace::open(workspace.toStdString(), identity);
        kept.putAdaptation(record);
        kept.save();
        log(tr("kept in %1").arg(workspace));
        QMetaObject::invokeMethod(this, [this, checkpoint, record] {
            if (checkpoint == checkpoint_)
                view_->addRun(record);
        }, Qt::QueuedConnection);
        return std::isnan(record.testAccuracy)
                   ? tr("validation accuracy %1").arg(accuracyText(record.validationAccuracy))
                   : tr("test accuracy %1, %2 parameters trained")
                         .arg(accuracyText(record.testAccuracy))
                         .arg(record.trainable);
    };
    auto *job = new BackgroundJob(title, std::move(work));
    job_ = job;
    connect(job, &BackgroundJob::ended, this, &AdaptationController::updateAction);
    jobs_->add(job);
    job->start();
    updateAction();
    Q_EMIT started(job);
    return job;
}

std::vector<TestImage> AdaptationController::testImages(const std::string &task, int64_t count)
{
    const std::string key = dataRoot_ + "\n" + task;
    auto found = tasks_.find(key);
    if (found == tasks_.end())
        found = tasks_.emplace(key, std::make_shared<const ImageTask>(loadTask(task, dataRoot_))).first;
    const ImageTask &t = *found->second;
    std::vector<TestImage> images;
    for (int64_t i = 0; i < std::min<int64_t>(count, t.test.count); ++i) {
        const auto pixels = t.test.image(i);
        QImage image(int(t.test.cols), int(t.test.rows), QImage::Format_Grayscale8);
        for (int64_t row = 0; row < t.test.rows; ++row)
            std::copy_n(pixels.data() + row * t.test.cols, t.test.cols, image.scanLine(int(row)));
        images.push_back({std::move(image), t.testLabels[size_t(i)]});
    }
    return images;
}

} // namespace sculpt
