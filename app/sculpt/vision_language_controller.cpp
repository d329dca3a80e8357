#include "vision_language_controller.h"

#include "analysis/content_hash.h"
#include "background_job.h"
#include "compression_controller.h"
#include "compression_view.h"
#include "data/idx.h"
#include "data/vision_language_images.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "jobs_panel.h"
#include "session/data_file.h"
#include "session/image_sources.h"
#include "session/vision_language.h"
#include "session/weights_hash.h"
#include "workspace/workspace.h"

#include <QFileInfo>
#include <QLineEdit>
#include <QSpinBox>
#include <cmath>
#include <map>

namespace sculpt {
namespace {

constexpr int kThumbnail = 72;

QString nameOf(const std::string &path) { return QFileInfo(QString::fromStdString(path)).fileName(); }

QString captionOf(const VisionLanguageRun &run, const QString &state)
{
    QStringList files;
    for (const DataFile &file : run.data)
        files << nameOf(file.path);
    return QObject::tr("%1 images of %2 — prompt “%3”, at most %4 tokens per answer%5")
        .arg(run.images.size())
        .arg(files.join(QStringLiteral(", ")), QString::fromStdString(run.prompt))
        .arg(run.maxTokens)
        .arg(state);
}

} // namespace

VisionLanguageController::VisionLanguageController(VisionLanguageView *view, CompressionController *compression,
                                                   JobsPanel *jobs, QObject *parent)
    : QObject(parent), view_(view), compression_(compression), jobs_(jobs)
{
    connect(compression_, &CompressionController::currentPassChanged, this, &VisionLanguageController::offerPasses);
    connect(view_, &VisionLanguageView::runRequested, this, &VisionLanguageController::startRun);
}

void VisionLanguageController::setModel(std::shared_ptr<const Checkpoint> checkpoint, bool readsImages,
                                        const QString &workspace)
{
    checkpoint_ = std::move(checkpoint);
    readsImages_ = checkpoint_ && readsImages;
    workspace_ = workspace;
    shown_.reset();
    view_->startRun({}, {}, {});
    view_->setOpenModel(checkpoint_ ? nameOf(checkpoint_->path()) : QString(), readsImages_,
                        checkpoint_ ? tr("%1 reads no images: the Vision-language view compares models that do "
                                         "(LLaVA-style folders).")
                                          .arg(nameOf(checkpoint_->path()))
                                    : tr("Open a model that reads images (a LLaVA-style folder) to put images to it."));
    offerPasses();
}

// The passes whose compressed model can run, keyed by id and date (a pass is stored with both).
void VisionLanguageController::offerPasses() { view_->setChoices(compression_->passChoices()); }

std::vector<VisionLanguageView::Row> VisionLanguageController::rowsOf(const std::vector<VisionLanguageImage> &images)
{
    std::map<std::string, IdxImages> sets; // each IDX set read once; one gone since reads as empty
    std::vector<VisionLanguageView::Row> rows;
    for (const VisionLanguageImage &image : images) {
        QImage thumbnail;
        if (image.index < 0) {
            thumbnail.load(QString::fromStdString(image.file));
        } else {
            auto set = sets.find(image.file);
            if (set == sets.end()) {
                IdxImages read;
                try {
                    read = readIdxImages(image.file);
                } catch (const FileError &) { // a stored run's thumbnail: its answers still show
                }
                set = sets.emplace(image.file, std::move(read)).first;
            }
            const IdxImages &idx = set->second;
            if (image.index < idx.count) {
                thumbnail = QImage(int(idx.cols), int(idx.rows), QImage::Format_Grayscale8);
                for (int64_t row = 0; row < idx.rows; ++row)
                    std::copy_n(idx.image(image.index).data() + row * idx.cols, idx.cols, thumbnail.scanLine(int(row)));
            }
        }
        if (!thumbnail.isNull())
            thumbnail = thumbnail.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        QStringList references;
        for (const std::string &r : image.references)
            references << QString::fromStdString(r);
        rows.push_back({thumbnail, references.join(QLatin1Char('\n')), image.scored,
                        QString::fromStdString(image.question)});
    }
    return rows;
}

void VisionLanguageController::showTotals(int model, const VisionLanguageAnswers &answers)
{
    view_->setTotals(model, answers.accuracy(), answers.meanGflops(), answers.meanSeconds());
}

void VisionLanguageController::showRun(const VisionLanguageRun &run, const std::vector<VisionLanguageView::Row> &rows)
{
    shown_ = run;
    QStringList names;
    for (const VisionLanguageAnswers &m : run.models)
        names << QString::fromStdString(m.name);
    view_->startRun(names, rows, captionOf(run, tr(", %1").arg(QString::fromStdString(run.date))));
    for (int c = 0; c < int(run.models.size()); ++c) {
        const VisionLanguageAnswers &m = run.models[size_t(c)];
        for (int i = 0; i < int(m.answers.size()); ++i)
            view_->setAnswer(i, c, QString::fromStdString(m.answers[size_t(i)]),
                             m.decoderMacs[size_t(i)] < 0 ? std::nan("") : 2e-9 * double(m.decoderMacs[size_t(i)]),
                             m.seconds[size_t(i)], int(m.correct[size_t(i)]));
        showTotals(c, m);
    }
}

BackgroundJob *VisionLanguageController::startRun()
{
    const QStringList sourcePaths = view_->sources();
    const std::string prompt = view_->prompt()->text().trimmed().toStdString();
    if (!readsImages_ || sourcePaths.isEmpty() || prompt.empty() || (job_ && job_->isRunning()))
        return nullptr;
    std::vector<std::string> sources;
    for (const QString &path : sourcePaths)
        sources.push_back(path.toStdString());
    // The open model first, then the chosen ones.
    std::vector<VisionLanguageSource> models{{nameOf(checkpoint_->path()).toStdString(), checkpoint_->path(), nullptr, {}}};
    for (const QString &key : view_->chosenKeys()) {
        const std::optional<CompressionController::RunnablePass> pass = compression_->runnablePass(key);
        if (!pass)
            models.push_back({nameOf(key.toStdString()).toStdString(), key.toStdString(), nullptr, {}});
        else
            models.push_back({CompressionView::passName(pass->record).toStdString(),
                              pass->model ? checkpoint_->path() : pass->record.exportPath, pass->model,
                              pass->model ? pass->tokenizer : std::string()});
    }
    const long limit = view_->count()->value();
    const long maxTokens = view_->maxTokens()->value();
    const auto checkpoint = checkpoint_;
    const QString workspace = workspace_;
    QStringList names;
    for (const VisionLanguageSource &m : models)
        names << QString::fromStdString(m.name);
    const QString title = tr("Ask %1 about %2").arg(names.join(QStringLiteral(", ")), nameOf(sources.front()));

    auto work = [this, checkpoint, workspace, sources, models, prompt, limit, maxTokens,
                 names](const JobContext &context, const BackgroundJob::Log &log) {
        const auto say = [&log](const std::string &line) { log(QString::fromStdString(line)); };
        const std::vector<VisionLanguageImage> images = readVisionLanguageImages(sources, limit);
        const std::vector<DataFile> data = describeImageSources(sources, images);
        log(tr("%1 images").arg(images.size()));
        VisionLanguageRun layout;
        layout.prompt = prompt;
        layout.maxTokens = maxTokens;
        layout.images = images;
        layout.data = data;
        const auto rows = rowsOf(images);
        const QString caption = captionOf(layout, tr(", running"));
        QMetaObject::invokeMethod(this, [this, names, rows, caption] {
            shown_.reset();
            view_->startRun(names, rows, caption);
        }, Qt::QueuedConnection);

        const std::vector<VisionLanguageModel> loaded = loadVisionLanguageModels(models, context, say);
        // Each column's answers so far, for its totals as they change: only touched on the GUI thread.
        auto columns = std::make_shared<std::vector<VisionLanguageAnswers>>(loaded.size());
        VisionLanguageProgress progress;
        progress.growing = [this](size_t model, size_t image, const std::string &text) {
            QMetaObject::invokeMethod(this, [this, model, image, text = QString::fromStdString(text)] {
                view_->setGrowing(int(image), int(model), text);
            }, Qt::QueuedConnection);
        };
        progress.answered = [this, columns](size_t model, size_t image, const std::string &text, int64_t macs,
                                            double seconds, int64_t correct) {
            QMetaObject::invokeMethod(this, [this, columns, model, image, text, macs, seconds, correct] {
                view_->setAnswer(int(image), int(model), QString::fromStdString(text),
                                 macs < 0 ? std::nan("") : 2e-9 * double(macs), seconds, int(correct));
                VisionLanguageAnswers &column = (*columns)[model];
                column.answers.push_back(text);
                column.decoderMacs.push_back(macs);
                column.seconds.push_back(seconds);
                column.correct.push_back(correct);
                showTotals(int(model), column);
            }, Qt::QueuedConnection);
        };
        VisionLanguageRun run = runVisionLanguage(loaded, images, prompt, maxTokens, context, progress);
        run.data = data;
        run.date = utcNow();
        std::vector<Evaluation> evaluations = answerAccuracies(run);
        if (!evaluations.empty()) { // every column scored alike: the first is the open model's

            log(tr("hashing the open model's weights"));
            evaluations.front().modelHash = weightsHash(*checkpoint, context);
        }
        // Read again: other jobs may have saved the workspace meanwhile.
        Workspace store = Workspace::open(workspace.toStdString(), {checkpoint->path(), modelFingerprint(*checkpoint)});
        store.putVisionLanguageRun(run);
        for (const Evaluation &e : evaluations)
            store.putEvaluation(e);
        store.save();
        run = store.visionLanguageRuns().back();
        const std::vector<Evaluation> all = store.evaluations();
        evaluations.assign(all.end() - ptrdiff_t(evaluations.size()), all.end());
        log(tr("saved to %1 as run %2").arg(workspace, QString::fromStdString(run.id)));
        QMetaObject::invokeMethod(this, [this, checkpoint, run, rows, evaluations] {
            if (checkpoint_ != checkpoint)
                return;
            showRun(run, rows);
            Q_EMIT evaluated(evaluations);
        }, Qt::QueuedConnection);
        QStringList summary;
        for (const VisionLanguageAnswers &m : run.models)
            summary << (std::isnan(m.accuracy()) ? tr("%1 %2 GFLOPs").arg(QString::fromStdString(m.name)).arg(m.meanGflops(), 0, 'g', 3)
                                                 : tr("%1 %2 % at %3 GFLOPs")
                                                       .arg(QString::fromStdString(m.name))
                                                       .arg(100 * m.accuracy(), 0, 'f', 1)
                                                       .arg(m.meanGflops(), 0, 'g', 3));
        return summary.join(QStringLiteral("; "));
    };
    auto *job = new BackgroundJob(title, work);
    job_ = job;
    connect(job, &BackgroundJob::ended, this, [this, job] {
        view_->setBusy(false);
        if (job->state() != BackgroundJob::State::Finished)
            view_->startRun({}, {}, tr("The run stopped before its end (%1) and was not stored.").arg(job->summary()));
    });
    view_->setBusy(true);
    jobs_->add(job);
    job->start();
    return job;
}

} // namespace sculpt
