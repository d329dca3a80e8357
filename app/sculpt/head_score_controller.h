#pragma once
// Analyse ▸ Head scores in the window: scores every attention head of the open vision model for
// an image task as a job (core/session's scoreHeads) and shows them in the head-score map;
// choosing another strategy there scores again with it.

#include "session/head_scores.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>
#include <optional>

class QAction;
class QWidget;

namespace sculpt {

class BackgroundJob;
class Checkpoint;
class HeadScoreMap;
class JobsPanel;
enum class ModelKind;

class HeadScoreController : public QObject {
    Q_OBJECT
public:
    HeadScoreController(HeadScoreMap *map, JobsPanel *jobs, QWidget *window);

    // The open model and the kind its family builds; scoring is offered for vision models.
    void setModel(std::shared_ptr<const Checkpoint> checkpoint, std::optional<ModelKind> kind);
    // Runs `request` on the open model; nullptr when it cannot (no vision model, a run going).
    BackgroundJob *startScoring(const HeadScoreRequest &request);
    void askScoring();

    QAction *scoreAction() const { return action_; }

Q_SIGNALS:
    void started(sculpt::BackgroundJob *job);
    void scored(); // the map shows new scores

private:
    void updateAction();

    HeadScoreMap *map_;
    JobsPanel *jobs_;
    QWidget *window_;
    QAction *action_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    bool vision_ = false;
    HeadScoreRequest last_;
    QPointer<BackgroundJob> job_;
};

} // namespace sculpt
