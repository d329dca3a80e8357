#pragma once
#include <QHash>
#include <QWidget>

class QPlainTextEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace sculpt {

class BackgroundJob;

// Every background job of the window, newest first: its progress, the time left (or how
// it ended) and a Cancel button, with the selected job's log beside the list.
class JobsPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { Title, ProgressBar, Status, CancelButton, ColumnCount };

    explicit JobsPanel(QWidget *parent = nullptr);
    ~JobsPanel() override;

    // Lists the job and takes ownership of it; select it so its log shows.
    void add(BackgroundJob *job);
    QList<BackgroundJob *> jobs() const;   // newest first
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
