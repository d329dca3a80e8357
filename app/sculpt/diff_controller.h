#pragma once
#include "records/diff_record.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>
#include <vector>

class QAction;
class QWidget;

namespace sculpt {

class BackgroundJob;
class Checkpoint;
class DiffView;
class JobsPanel;

// File ▸ Compare with… in the window: the open model (A) against another checkpoint (B), tensor
// by tensor, as a job (progress per pair, Cancel), kept in A's workspace under both sides'
// weights (diff/workspace_diff.h) so the same comparison asked again, or on reopening, is read
// back; the Diff tab shows it.
class DiffController : public QObject {
    Q_OBJECT
public:
    DiffController(DiffView *view, JobsPanel *jobs, QWidget *window);

    // The open model (null: none) and its workspace; forgets the previous model's diff.
    void setModel(std::shared_ptr<const Checkpoint> checkpoint, const QString &workspace);
    // The diffs the open model's workspace holds, read back when it was opened: the newest is shown.
    void setStoredDiffs(const std::vector<DiffRecord> &diffs);
    // Compares the open model with the checkpoint at `path` as a job; nullptr when no model is
    // open or a comparison is running. Exact spectra up to 100 M parameters, the top 64 above.
    BackgroundJob *compareWith(const QString &path);

    void askCompare(); // a file or folder, then compareWith
    void askExport();  // where to save the Diff tab's table as CSV
    QAction *compareAction() const { return compareAction_; }

Q_SIGNALS:
    void started(sculpt::BackgroundJob *job);

private:
    bool isCurrent(const std::shared_ptr<const Checkpoint> &checkpoint) const { return checkpoint == checkpoint_; }

    DiffView *view_;
    JobsPanel *jobs_;
    QWidget *window_;
    QAction *compareAction_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    QString workspace_;
    QPointer<BackgroundJob> job_;
};

} // namespace sculpt
