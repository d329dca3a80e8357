#include "adapter_pruning_controller.h"

#include "adaptation_controller.h"
#include "adapter_importance_chart.h"
#include "background_job.h"
#include "bundled_passes.h"
#include "expert_routing_map.h"
#include "prune_adapters_dialog.h"
#include "session/adaptation_records.h"

#include <QAction>

namespace sculpt {

AdapterPruningController::AdapterPruningController(AdapterImportanceChart *chart, ExpertRoutingMap *routing,
                                                   AdaptationController *runs, QWidget *window)
    : QObject(window), chart_(chart), routing_(routing), runs_(runs), window_(window), action_(new QAction(tr("&Prune adapters…"), this))
{
    action_->setStatusTip(tr("Pear: score each adapter for an image task, prune the weakest, let strong ones serve "
                             "their positions, and fine-tune on"));
    connect(action_, &QAction::triggered, this, &AdapterPruningController::askPruning);
    const auto update = [this] { action_->setEnabled(runs_->canRun() && !bundledAdapterPrunings().empty()); };
    connect(runs_, &AdaptationController::runningChanged, this, update);
    last_.task = "t1";
    last_.dataRoot = defaultTaskDataRoot();
    update();
}

void AdapterPruningController::askPruning()
{
    if (!runs_->canRun())
        return;
    PruneAdaptersRequest shown = last_;
    if (!chart_->scores().empty())
        shown.prune = chart_->fraction();
    auto *dialog = new PruneAdaptersDialog(QString::fromStdString(runs_->modelName()), bundledAdapterKinds(),
                                           bundledAdapterPrunings(), shown, window_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startPruning(dialog->request()); });
    dialog->open();
}

void AdapterPruningController::showRun(const AdaptationRecord &run)
{
    if (!run.routing.empty())
        routing_->setRouting(run.routing);
    if (run.adapterScores.empty())
        return;
    chart_->setScores(run.adapterScores, run.sharing);
    if (awaiting_) {
        awaiting_ = false;
        Q_EMIT pruned();
    }
}

BackgroundJob *AdapterPruningController::startPruning(const PruneAdaptersRequest &request)
{
    if (!runs_->canRun())
        return nullptr;
    last_ = request;
    const QString title = tr("Prune %1 % of the %2 adapters of %3 on %4 (%5)")
                              .arg(100 * request.prune)
                              .arg(QString::fromStdString(request.adapter), QString::fromStdString(runs_->modelName()),
                                   QString::fromStdString(request.task), QString::fromStdString(request.method));
    BackgroundJob *job = runs_->start(
        title, request.warmup + request.epochs, request.warmup, request.dataRoot,
        [request](const Checkpoint &checkpoint, const JobContext &context,
                  const std::function<void(const AdaptationEpoch &)> &onEpoch) {
            return adaptationRecord(request, pruneAdapters(checkpoint, request, context, onEpoch), {}, 0);
        });
    awaiting_ = job != nullptr;
    if (job) // a run that failed shows nothing: the next run chosen in the view is not this one's
        connect(job, &BackgroundJob::ended, this, [this] { awaiting_ = false; });
    return job;
}

} // namespace sculpt
