#pragma once
#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>

namespace sculpt {

class BackgroundJob;
class Checkpoint;
class CompressionController;
class JobsPanel;
class LayoutsView;

// The Layouts tab's Generate page: runs the chosen layout model and its compressed copy — a
// pass of the open model in memory or exported, or a folder — on the same seeds, panel count,
// steps and aspect as one job, each layout reaching the view as it is generated, beside real
// pages of the open annotation file with as many panels.
class LayoutGenerationController : public QObject {
    Q_OBJECT
public:
    LayoutGenerationController(LayoutsView *view, CompressionController *compression, JobsPanel *jobs, QObject *parent);

    // The open model (null for none); the Model chooser offers it when it is a layout model.
    void setModel(std::shared_ptr<const Checkpoint> checkpoint, bool layoutModel);

    // With what the view says, as a job; nullptr when no model is chosen or a run goes on.
    BackgroundJob *generate();

private:
    void offer();

    LayoutsView *view_;
    CompressionController *compression_;
    JobsPanel *jobs_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    bool layoutModel_ = false;
    QPointer<BackgroundJob> job_;
};

} // namespace sculpt
