#pragma once
#include "layouts_view.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QAction;

namespace sculpt {

class BackgroundJob;
class JobsPanel;

// The Layouts tab: reads annotation files and folders as jobs and shows their books; a file
// that cannot be read costs one line and keeps what is shown.
class LayoutsController : public QObject {
    Q_OBJECT
public:
    LayoutsController(LayoutsView *view, JobsPanel *jobs, QObject *parent);

    QAction *openAction() const { return openAction_; }             // File ▸ Open annotations…
    QAction *openFolderAction() const { return openFolderAction_; } // File ▸ Open annotation folder…

    // Reads `path` — an annotation file, or a folder of them — as a job: the books and the
    // reading-order agreement are computed off the GUI thread, since a folder such as
    // Manga109's (109 books, ten thousand pages) has no bound worth trusting, even though
    // OpenMantra's 214 pages read in well under a second. nullptr while another read runs.
    BackgroundJob *open(const QString &path);
    QString openPath() const { return openPath_; }

Q_SIGNALS:
    void opened(const QString &path);
    void failed(const QString &line); // one line: the reader's reason, naming the file

private:
    LayoutsView *view_;
    JobsPanel *jobs_;
    QAction *openAction_, *openFolderAction_;
    QPointer<BackgroundJob> readJob_;
    QString openPath_;
};

} // namespace sculpt
