#include "layout_generation_controller.h"

#include "background_job.h"
#include "compression_controller.h"
#include "compression_view.h"
#include "io/checkpoint.h"
#include "jobs_panel.h"
#include "layout_generation_view.h"
#include "layouts_view.h"
#include "session/layout_generation.h"

#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QSpinBox>
#include <algorithm>

namespace sculpt {
namespace {

QString nameOf(const std::string &path) { return QFileInfo(QString::fromStdString(path)).fileName(); }

} // namespace

LayoutGenerationController::LayoutGenerationController(LayoutsView *view, CompressionController *compression,
                                                       JobsPanel *jobs, QObject *parent)
    : QObject(parent), view_(view), compression_(compression), jobs_(jobs)
{
    connect(compression_, &CompressionController::currentPassChanged, this, &LayoutGenerationController::offer);
    connect(view_->generationView(), &LayoutGenerationView::generateRequested, this, &LayoutGenerationController::generate);
    offer();
}

void LayoutGenerationController::setModel(std::shared_ptr<const Checkpoint> checkpoint, bool layoutModel)
{
    checkpoint_ = std::move(checkpoint);
    layoutModel_ = checkpoint_ && layoutModel;
    offer();
}

// The open layout model by its path, as a folder chosen would be; its passes by their keys.
void LayoutGenerationController::offer()
{
    std::vector<ModelChooser::Choice> models;
    if (layoutModel_)
        models.push_back({nameOf(checkpoint_->path()), QString::fromStdString(checkpoint_->path())});
    view_->generationView()->setChoices(models, layoutModel_ ? compression_->passChoices()
                                                             : std::vector<ModelChooser::Choice>());
}

BackgroundJob *LayoutGenerationController::generate()
{
    LayoutGenerationView *view = view_->generationView();
    const QString modelKey = view->model()->chosenKey();
    if (modelKey.isEmpty() || (job_ && job_->isRunning()))
        return nullptr;
    std::vector<LayoutModelSource> sources{{view->model()->chosenName().toStdString(), modelKey.toStdString(), nullptr}};
    if (const QString key = view->compressed()->chosenKey(); !key.isEmpty()) {
        if (const auto pass = compression_->runnablePass(key))
            sources.push_back({CompressionView::passName(pass->record).toStdString(),
                               pass->model ? checkpoint_->path() : pass->record.exportPath, pass->model});
        else
            sources.push_back({view->compressed()->chosenName().toStdString(), key.toStdString(), nullptr});
    }
    LayoutGenerationRequest request;
    request.panels = view->panels()->value();
    request.aspect = view->aspect()->value();
    request.steps = view->steps()->value();
    request.seeds = view->seeds();
    QStringList names;
    for (const LayoutModelSource &source : sources)
        names << QString::fromStdString(source.name);
    view->startRun(names, request.seeds, view_->pagesWithPanels(int(request.panels), int(request.seeds.size())),
                   tr("%n panel(s), ", nullptr, int(request.panels)) +
                       tr("aspect %1, %2 steps, seeds %3–%4")
                           .arg(request.aspect, 0, 'f', 2)
                           .arg(request.steps)
                           .arg(request.seeds.front())
                           .arg(request.seeds.back()));

    auto work = [this, sources, request](const JobContext &context, const BackgroundJob::Log &log) {
        QStringList summary;
        for (size_t m = 0; m < sources.size(); ++m) {
            log(tr("loading %1").arg(QString::fromStdString(sources[m].name)));
            const LoadedLayoutModel model = loadLayoutModel(sources[m], context);
            const auto shown = [this, m, &request](const GeneratedLayout &layout) {
                const auto at = std::find(request.seeds.begin(), request.seeds.end(), layout.seed) - request.seeds.begin();
                QMetaObject::invokeMethod(this, [this, m, at, layout] {
                    view_->generationView()->setLayout(int(m), int(at), layout.page, layout.seconds);
                }, Qt::QueuedConnection);
            };
            const std::vector<GeneratedLayout> layouts = generateLayouts(model, request, context, shown);
            double seconds = 0;
            for (const GeneratedLayout &layout : layouts)
                seconds += layout.seconds;
            summary << tr("%1: %2 s a layout").arg(QString::fromStdString(sources[m].name)).arg(seconds / double(layouts.size()), 0, 'f', 2);
            log(summary.back());
        }
        return summary.join(QStringLiteral("; "));
    };
    const QString title = tr("Generate %n-panel layouts with ", nullptr, int(request.panels)) + names.join(QStringLiteral(" and "));
    auto *job = new BackgroundJob(title, work);
    job_ = job;
    connect(job, &BackgroundJob::ended, this, [this, job] {
        view_->generationView()->setBusy(false);
        if (job->state() != BackgroundJob::State::Finished)
            view_->showMessage(tr("%1: %2").arg(job->title(), job->state() == BackgroundJob::State::Cancelled
                                                                   ? tr("cancelled")
                                                                   : job->summary()));
    });
    view->setBusy(true);
    jobs_->add(job);
    job->start();
    return job;
}

} // namespace sculpt
