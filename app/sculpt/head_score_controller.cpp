#include "head_score_controller.h"

#include "adaptation_controller.h"
#include "background_job.h"
#include "bundled_passes.h"
#include "head_score_dialog.h"
#include "head_score_map.h"
#include "io/checkpoint.h"
#include "session/adaptation_records.h"

#include <QAction>

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

HeadScoreController::HeadScoreController(HeadScoreMap *map, AdaptationController *runs, QWidget *window)
    : QObject(window), map_(map), runs_(runs), window_(window), scoreAction_(new QAction(tr("&Head scores…"), this)),
      maskAction_(new QAction(tr("&Mask heads…"), this))
{
    scoreAction_->setStatusTip(tr("Every attention head's importance for an image task (HEAT's Taylor scores), "
                                  "after fine-tuning adapters on it"));
    maskAction_->setStatusTip(tr("HEAT: mask the heads with the lowest scores, fine-tune on without them, and "
                                 "optionally write the model with them removed"));
    connect(scoreAction_, &QAction::triggered, this, &HeadScoreController::askScoring);
    connect(maskAction_, &QAction::triggered, this, &HeadScoreController::askMasking);
    connect(runs_, &AdaptationController::runningChanged, this, &HeadScoreController::updateActions);
    map_->setStrategies(strategyList());
    connect(map_, &HeadScoreMap::strategyChosen, this, [this](const QString &strategy) {
        if (last_.task.empty() || strategy.toStdString() == last_.strategy)
            return;
        HeadScoreRequest again = last_;
        again.strategy = strategy.toStdString();
        again.mask = -1;
        again.output.clear();
        startScoring(again);
    });
    last_.dataRoot = defaultTaskDataRoot();
    last_.strategy = "gate"; // last_.task stays empty until something is scored
    updateActions();
}

void HeadScoreController::updateActions()
{
    scoreAction_->setEnabled(runs_->canRun());
    maskAction_->setEnabled(runs_->canRun());
}

void HeadScoreController::ask(HeadScoreRequest shown)
{
    if (!runs_->canRun())
        return;
    if (shown.task.empty())
        shown.task = "t1";
    auto *dialog = new HeadScoreDialog(QString::fromStdString(runs_->modelName()), strategyList(), shown, window_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startScoring(dialog->request()); });
    dialog->open();
}

void HeadScoreController::askScoring()
{
    HeadScoreRequest shown = last_;
    shown.mask = -1;
    shown.output.clear();
    ask(shown);
}

void HeadScoreController::askMasking()
{
    HeadScoreRequest shown = last_;
    if (!map_->scores().strategy.empty())
        shown.strategy = map_->scores().strategy;
    shown.mask = map_->maskFraction();
    shown.perLayer = map_->perLayer();
    ask(shown);
}

void HeadScoreController::showRun(const AdaptationRecord &run)
{
    if (run.scores.values.empty())
        return;
    map_->setScores(run.scores);
    if (run.mask >= 0) {
        map_->setPerLayer(run.perLayer);
        map_->setMaskFraction(run.mask);
    }
    if (awaiting_) {
        awaiting_ = false;
        Q_EMIT scored();
    }
}

BackgroundJob *HeadScoreController::startScoring(const HeadScoreRequest &request)
{
    if (!runs_->canRun())
        return nullptr;
    last_ = request;
    const bool heat = request.mask >= 0;
    const QString what = heat ? tr("Mask %1 % of the heads (%2) of %3 on %4").arg(100 * request.mask)
                              : tr("Head scores (%2) of %3 on %4");
    const QString title = what.arg(QString::fromStdString(request.strategy),
                                   QString::fromStdString(runs_->modelName()), QString::fromStdString(request.task));
    const int64_t epochs = request.epochs;
    BackgroundJob *job = runs_->start(
        title, heat ? 2 * epochs : epochs, heat ? epochs : 0, request.dataRoot,
        [request, heat](const Checkpoint &checkpoint, const JobContext &context,
                        const std::function<void(const AdaptationEpoch &)> &onEpoch) {
            return adaptationRecord(heat ? "heat" : "heads", request, scoreHeads(checkpoint, request, context, onEpoch),
                                    {}, 0);
        });
    awaiting_ = job != nullptr;
    if (job) // a run that failed shows nothing: the next run chosen in the view is not this one's
        connect(job, &BackgroundJob::ended, this, [this] { awaiting_ = false; });
    return job;
}

} // namespace sculpt
