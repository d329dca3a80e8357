#include "layouts_controller.h"

#include "background_job.h"
#include "jobs_panel.h"
#include "layout/layout_reader.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QToolButton>
#include <algorithm>
#include <memory>

namespace sculpt {

LayoutsController::LayoutsController(LayoutsView *view, JobsPanel *jobs, QObject *parent)
    : QObject(parent), view_(view), jobs_(jobs), openAction_(new QAction(tr("Open &annotations…"), this)),
      openFolderAction_(new QAction(tr("Open annotation fol&der…"), this))
{
    openAction_->setStatusTip(tr("Read a Manga109 XML, OpenMantra annotation.json or ACBF file into the Layouts tab"));
    openFolderAction_->setStatusTip(tr("Read every annotation file of a folder (Manga109's, say) into the Layouts tab"));
    connect(openAction_, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(view_, tr("Open annotations"), QFileInfo(openPath_).path(),
                                                          tr("Annotations (*.json *.xml *.acbf);;All files (*)"));
        if (!path.isEmpty())
            open(path);
    });
    connect(openFolderAction_, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getExistingDirectory(view_, tr("Open a folder of annotations"), openPath_);
        if (!path.isEmpty())
            open(path);
    });
    view_->openButton()->setDefaultAction(openAction_);
    view_->openFolderButton()->setDefaultAction(openFolderAction_);
}

BackgroundJob *LayoutsController::open(const QString &path)
{
    if (readJob_ && readJob_->isRunning())
        return nullptr;
    auto books = std::make_shared<std::vector<LayoutBook>>();
    auto agreement = std::make_shared<std::optional<OrderAgreement>>();
    auto *job = new BackgroundJob(tr("Read layouts of %1").arg(QFileInfo(path).fileName()),
                                  [path, books, agreement](const JobContext &, const BackgroundJob::Log &log) {
        log(path);
        *books = readLayouts(path.toStdString());
        int pages = 0;
        for (const LayoutBook &book : *books)
            pages += int(book.pages.size());
        QString summary = tr("%n book(s)", nullptr, int(books->size())) + tr(", %n page(s)", nullptr, pages);
        if (std::any_of(books->begin(), books->end(), [](const LayoutBook &b) { return b.panelsInReadingOrder; })) {
            *agreement = orderAgreement(*books);
            summary += tr("; the estimated reading order agrees on %1 of %2 pages")
                           .arg((*agreement)->fullAgreement)
                           .arg((*agreement)->pages);
        }
        return summary;
    });
    connect(job, &BackgroundJob::ended, this, [this, job, path, books, agreement] {
        if (job->state() == BackgroundJob::State::Finished) {
            openPath_ = path;
            view_->showBooks(books, path, *agreement);
            Q_EMIT opened(path);
            return;
        }
        const QString line = job->state() == BackgroundJob::State::Cancelled ? tr("Reading %1 was cancelled").arg(path)
                                                                             : job->summary();
        view_->showMessage(openPath_.isEmpty() ? line : tr("%1 — %2 stays open").arg(line, QFileInfo(openPath_).fileName()));
        Q_EMIT failed(view_->message());
    });
    readJob_ = job;
    jobs_->add(job);
    job->start();
    return job;
}

} // namespace sculpt
