#pragma once
// Analyse ▸ Prune adapters… in the window: Pear's whole run on the open vision model — warm
// up adapters on an image task, score each, prune the weakest, serve their positions, train
// on (core/session's pruneAdapters) — as a run of the Adaptation tab; its scores and what
// pruning did go to the Adapters tab's bar chart, and the routers' weights of any run with
// Lily adapters to the heatmap under it.

#include "records/adaptation_record.h"
#include "session/adapter_pruning.h"

#include <QObject>

class QAction;
class QWidget;

namespace sculpt {

class AdaptationController;
class AdapterImportanceChart;
class BackgroundJob;
class ExpertRoutingMap;

class AdapterPruningController : public QObject {
    Q_OBJECT
public:
    AdapterPruningController(AdapterImportanceChart *chart, ExpertRoutingMap *routing, AdaptationController *runs,
                             QWidget *window);

    // Runs `request` on the open model; nullptr when it cannot (no vision model, a run going).
    BackgroundJob *startPruning(const PruneAdaptersRequest &request);
    void askPruning(); // starts from the last request, at the chart's fraction
    // Shows a run's adapter scores and sharing in the chart, and its routers' weights in the
    // heatmap (each left as it was for a run without them).
    void showRun(const AdaptationRecord &run);

    QAction *pruneAction() const { return action_; }

Q_SIGNALS:
    void pruned(); // a run of this controller ended and the chart shows it

private:
    AdapterImportanceChart *chart_;
    ExpertRoutingMap *routing_;
    AdaptationController *runs_;
    QWidget *window_;
    QAction *action_;
    PruneAdaptersRequest last_;
    bool awaiting_ = false; // the next run that ends in the view is this controller's
};

} // namespace sculpt
