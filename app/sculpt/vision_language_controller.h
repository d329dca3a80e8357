#pragma once
#include "records/vision_language_run.h"
#include "vision_language_view.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

namespace sculpt {

class BackgroundJob;
class Checkpoint;
class CompressionController;
class JobsPanel;

// The Vision-language tab: puts the view's images and prompt to the open model and the models
// its extra columns chose — a pass of the open model whose compressed model is in memory or
// exported (from the Compression tab's passes), or a model folder — as one job whose answers
// reach the view as they grow. A finished run is kept in the open model's workspace with each
// column's answer accuracy among its evaluations; a cancelled or failed one leaves nothing.
class VisionLanguageController : public QObject {
    Q_OBJECT
public:
    VisionLanguageController(VisionLanguageView *view, CompressionController *compression, JobsPanel *jobs,
                             QObject *parent);

    // The open model (null for none), whether it reads images (model_kind.h), and its workspace.
    void setModel(std::shared_ptr<const Checkpoint> checkpoint, bool readsImages, const QString &workspace);
    // Shows a run read back from the workspace; `rows` are its images as rowsOf made them.
    void showRun(const VisionLanguageRun &run, const std::vector<VisionLanguageView::Row> &rows);
    // The view's rows for these images: thumbnails read from their files or IDX sets, and their
    // references. Slow for many photos: call it off the GUI thread.
    static std::vector<VisionLanguageView::Row> rowsOf(const std::vector<VisionLanguageImage> &images);

    // With what the view says, as a job; nullptr when no model that reads images is open, the
    // view names no images, or a run goes on already.
    BackgroundJob *startRun();
    const std::optional<VisionLanguageRun> &shownRun() const { return shown_; }

Q_SIGNALS:
    // Stored with a run: its columns' answer accuracies, with their ids.
    void evaluated(const std::vector<sculpt::Evaluation> &evaluations);

private:
    void offerPasses();
    void showTotals(int model, const VisionLanguageAnswers &answers);

    VisionLanguageView *view_;
    CompressionController *compression_;
    JobsPanel *jobs_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    bool readsImages_ = false;
    QString workspace_;
    QPointer<BackgroundJob> job_;
    std::optional<VisionLanguageRun> shown_;
};

} // namespace sculpt
