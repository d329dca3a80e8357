#pragma once
// Driving the main window from a test as a researcher would: open a model, wait for a job,
// find a menu action.

#include "background_job.h"
#include "main_window.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTemporaryDir>

namespace sculpt::test {

inline bool openAndWait(MainWindow &window, const QString &path, int ms = 20000)
{
    QSignalSpy opened(&window, &MainWindow::modelOpened);
    window.openModel(path);
    return opened.wait(ms);
}

// Shows the window with its workspaces kept in `dir`'s "workspaces" folder, not the user's,
// and opens `path` there.
inline bool showAndOpen(MainWindow &window, const QTemporaryDir &dir, const QString &path, int ms = 20000)
{
    window.setWorkspaceFolder(dir.filePath(QStringLiteral("workspaces")));
    window.show();
    return openAndWait(window, path, ms);
}

// The job once it has ended; nullptr when there is none or it did not end in time.
inline BackgroundJob *waitForEnd(BackgroundJob *job, int ms = 60000)
{
    if (!job)
        return nullptr;
    QSignalSpy ended(job, &BackgroundJob::ended);
    return job->isRunning() && !ended.wait(ms) ? nullptr : job;
}

// The action under this text in these actions' menus, their submenus included
// (accelerator ampersands ignored).
inline QAction *actionIn(const QList<QAction *> &actions, const QString &text)
{
    for (QAction *action : actions) {
        if (action->menu()) {
            if (QAction *found = actionIn(action->menu()->actions(), text))
                return found;
        } else if (action->text().remove('&') == text) {
            return action;
        }
    }
    return nullptr;
}

// The action under this text in one of the window's menus or their submenus.
inline QAction *menuAction(MainWindow &window, const QString &text) { return actionIn(window.menuBar()->actions(), text); }

} // namespace sculpt::test
