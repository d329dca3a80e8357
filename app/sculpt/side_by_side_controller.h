#pragma once
#include "session/comparison.h"

#include <QObject>
#include <QPointer>
#include <QString>

namespace sculpt {

class BackgroundJob;
class CompressionController;
class JobsPanel;
class SideBySideView;

// The Side by side tab: follows the pass chosen in the Compression tab, and measures the
// original and the compressed model as jobs — for language models perplexity on the same
// documents and generations from the same prompt and seed; for vision models accuracy on the
// same images, with a grid of them and both models' predictions. Measurements are kept in the
// pass's record in the workspace; both models are loaded once per pass and kept for the next.
class SideBySideController : public QObject {
    Q_OBJECT
public:
    SideBySideController(SideBySideView *view, CompressionController *compression, JobsPanel *jobs, QObject *parent);

    // With what the view's fields say; nullptr when there is no pass to compare, it cannot
    // run, or a measurement is running already.
    BackgroundJob *startPerplexity();
    BackgroundJob *startGeneration();
    BackgroundJob *startAccuracy();

private:
    void refresh();
    bool runnable() const; // the chosen pass's compressed model is in memory or exported
    bool ready() const;
    // Runs on the job's thread once both models are loaded; returns the job's summary.
    using Measure = std::function<QString(const JobContext &, const ComparedModels &,
                                          const std::function<void(const QString &)> &log)>;
    BackgroundJob *start(const QString &title, Measure measure);
    QString passKey() const;
    // Adds both evaluations to the pass's record and saves it in `workspace`, on the job's thread.
    void keep(const std::shared_ptr<const Checkpoint> &checkpoint, const QString &workspace, PassRecord record,
              Evaluation original, Evaluation compressed, const std::function<void(const QString &)> &log);

    SideBySideView *view_;
    CompressionController *compression_;
    JobsPanel *jobs_;
    QPointer<BackgroundJob> job_;
    ComparedModels models_; // loaded for the pass `key_` names
    QString key_;
};

} // namespace sculpt
