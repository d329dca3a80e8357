#include "head_score_controller.h"

#include "background_job.h"
#include "bundled_passes.h"
#include "head_score_dialog.h"
#include "head_score_map.h"
#include "io/checkpoint.h"
#include "jobs_panel.h"
#include "runtime/model_kind.h"
#include "session/evaluation.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>

#include <cstdlib>

namespace sculpt {
namespace {

QStringList strategyList()
{
    QStringList names;
    for (const std::string &n : bundledHeadScoreStrategies())
        names << QString::fromStdString(n);
    return names;
}

} // namespace

HeadScoreController::HeadScoreController(HeadScoreMap *map, JobsPanel *jobs, QWidget *window)
    : QObject(window), map_(map), jobs_(jobs), window_(window), action_(new QAction(tr("&Head scores…"), this))
{
    action_->setStatusTip(tr("Every attention head's importance for an image task (HEAT's Taylor scores), "
                             "after fine-tuning adapters on it"));
    connect(action_, &QAction::triggered, this, &HeadScoreController::askScoring);
    map_->setStrategies(strategyList());
    connect(map_, &HeadScoreMap::strategyChosen, this, [this](const QString &strategy) {
        if (last_.task.empty() || strategy.toStdString() == last_.strategy)
            return;
        HeadScoreRequest again = last_;
        again.strategy = strategy.toStdString();
        startScoring(again);
    });
    const char *shared = std::getenv("SCULPT_SHARED");
    last_.dataRoot =
        shared ? shared : QDir::cleanPath(QDir::current().absoluteFilePath(QStringLiteral("../shared"))).toStdString();
    last_.strategy = "gate"; // last_.task stays empty until something is scored
    updateAction();
}

void HeadScoreController::setModel(std::shared_ptr<const Checkpoint> checkpoint, std::optional<ModelKind> kind)
{
    checkpoint_ = std::move(checkpoint);
    vision_ = kind == ModelKind::Vision && canEvaluate();
    updateAction();
}

void HeadScoreController::updateAction() { action_->setEnabled(vision_ && !(job_ && job_->isRunning())); }

void HeadScoreController::askScoring()
{
    if (!checkpoint_ || !vision_)
        return;
    HeadScoreRequest shown = last_;
    if (shown.task.empty())
        shown.task = "t1";
    auto *dialog = new HeadScoreDialog(QFileInfo(QString::fromStdString(checkpoint_->path())).fileName(), strategyList(),
                                       shown, window_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startScoring(dialog->request()); });
    dialog->open();
}

BackgroundJob *HeadScoreController::startScoring(const HeadScoreRequest &request)
{
    if (!checkpoint_ || !vision_ || (job_ && job_->isRunning()))
        return nullptr;
    last_ = request;
    const auto checkpoint = checkpoint_;
    const QString title = tr("Head scores (%1) of %2 on %3")
                              .arg(QString::fromStdString(request.strategy),
                                   QFileInfo(QString::fromStdString(checkpoint->path())).fileName(),
                                   QString::fromStdString(request.task));
    auto work = [this, checkpoint, request](const JobContext &context, const BackgroundJob::Log &log) {
        const HeadScoreRun run = scoreHeads(*checkpoint, request, context);
        log(tr("validation accuracy %1 % after fine-tuning %2 parameters")
                .arg(100 * run.validationAccuracy, 0, 'f', 2)
                .arg(run.trainable));
        QMetaObject::invokeMethod(this, [this, checkpoint, run] {
            if (checkpoint != checkpoint_)
                return; // another model was opened meanwhile
            map_->setScores(run.scores);
            Q_EMIT scored();
        }, Qt::QueuedConnection);
        return tr("%1 heads scored").arg(run.scores.values.size());
    };
    auto *job = new BackgroundJob(title, std::move(work));
    job_ = job;
    connect(job, &BackgroundJob::ended, this, &HeadScoreController::updateAction);
    jobs_->add(job);
    job->start();
    updateAction();
    Q_EMIT started(job);
    return job;
}

} // namespace sculpt
