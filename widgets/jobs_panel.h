#pragma once
#include <QHash>
#include <QWidget>

class QPlainTextEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace sculpt {

class BackgroundJob;

// Every background job of the window, newest first: its progress, the time left (or how
// it ended) and a Cancel button, with the selected job's log beside the list. Esc in the
// panel cancels the selected job.
class JobsPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { Title, ProgressBar, Status, CancelButton, ColumnCount };

    explicit JobsPanel(QWidget *parent = nullptr);
    ~JobsPanel() override;

    // Lists the job and takes ownership of it; select it so its log shows.
    void add(BackgroundJob *job);
    QList<BackgroundJob *> jobs() const;   // newest first
    // Cancels the selected job when it runs, else the newest running one: what Esc does
    // in the panel (and the window's Ctrl+.). Returns the job asked to stop, if any.
    BackgroundJob *cancelSelected();
    void cancelAll();
    void removeFinished();

    QString statusText(const BackgroundJob *job) const; // as the Status column shows it
    QString logText() const;                            // the log pane, for the selected job

Q_SIGNALS:
    void jobEnded(sculpt::BackgroundJob *job);

private:
    void showProgress(BackgroundJob *job);
    void showEnd(BackgroundJob *job);
    void showLogOf(QTreeWidgetItem *item);

    QTreeWidget *list_;
    QPlainTextEdit *log_;
    QHash<BackgroundJob *, QTreeWidgetItem *> items_;
};

} // namespace sculpt
