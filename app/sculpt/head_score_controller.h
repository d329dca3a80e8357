#pragma once
// Analyse ▸ Head scores… and Mask heads… in the window: scores every attention head of the
// open vision model for an image task (core/session's scoreHeads), and HEAT's whole run —
// score, mask the weakest, fine-tune on, optionally write the pruned model — as runs of the
// Adaptation tab; the scores go to the head-score map, whose strategy selector scores again
// and whose mask settings the next mask run starts from.

#include "records/adaptation_record.h"
#include "session/head_scores.h"

#include <QObject>

class QAction;
class QWidget;

namespace sculpt {

class AdaptationController;
class BackgroundJob;
class HeadScoreMap;

class HeadScoreController : public QObject {
    Q_OBJECT
public:
    HeadScoreController(HeadScoreMap *map, AdaptationController *runs, QWidget *window);

    // Runs `request` (a mask run when request.mask ≥ 0) on the open model; nullptr when it
    // cannot (no vision model, a run going).
    BackgroundJob *startScoring(const HeadScoreRequest &request);
    void askScoring();
    // Asks for a mask run starting from the map: its strategy, fraction and ranking.
    void askMasking();
    // Shows a run's scores and mask in the map (nothing for a run without scores).
    void showRun(const AdaptationRecord &run);

    QAction *scoreAction() const { return scoreAction_; }
    QAction *maskAction() const { return maskAction_; }

Q_SIGNALS:
    void scored(); // a run of this controller ended and the map shows its scores

private:
    void updateActions();
    void ask(HeadScoreRequest shown);

    HeadScoreMap *map_;
    AdaptationController *runs_;
    QWidget *window_;
    QAction *scoreAction_, *maskAction_;
    HeadScoreRequest last_;
    bool awaiting_ = false; // the next run that ends in the view is this controller's
};

} // namespace sculpt
