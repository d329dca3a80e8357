#include "side_by_side_controller.h"

#include "background_job.h"
#include "compression_controller.h"
#include "compression_view.h"
#include "data/idx.h"
#include "io/checkpoint.h"
#include "jobs_panel.h"
#include "side_by_side_view.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLineEdit>
#include <QSpinBox>

namespace sculpt {
namespace {

// How many images the predictions grid shows.
constexpr size_t kGridImages = 48;

// The bytes of a model's weights: its file, or a folder's weight files.
qint64 weightsBytes(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isDir())
        return info.exists() ? info.size() : -1;
    qint64 total = 0;
    const QStringList weights{QStringLiteral("*.safetensors"), QStringLiteral("*.bin"), QStringLiteral("*.pt"),
                              QStringLiteral("*.pth"), QStringLiteral("*.gguf")};
    for (const QFileInfo &file : QDir(path).entryInfoList(weights, QDir::Files))
        total += file.size();
    return total;
}

} // namespace

SideBySideController::SideBySideController(SideBySideView *view, CompressionController *compression, JobsPanel *jobs,
                                           QObject *parent)
    : QObject(parent), view_(view), compression_(compression), jobs_(jobs)
{
    connect(compression_, &CompressionController::currentPassChanged, this, &SideBySideController::refresh);
    connect(view_, &SideBySideView::measureRequested, this, &SideBySideController::startPerplexity);
    connect(view_, &SideBySideView::generateRequested, this, &SideBySideController::startGeneration);
    connect(view_, &SideBySideView::accuracyRequested, this, &SideBySideController::startAccuracy);
    refresh();
}

// Which pass of which model the view shows; the loaded models belong to it.
QString SideBySideController::passKey() const
{
    const PassRecord *record = compression_->currentRecord();
    if (!record || !compression_->checkpoint())
        return {};
    return QStringLiteral("%1 %2 %3")
        .arg(quintptr(compression_->checkpoint().get()))
        .arg(QString::fromStdString(record->id), QString::fromStdString(record->date));
}

void SideBySideController::refresh()
{
    const QString key = passKey();
    if (key != key_) {
        models_ = {};
        key_ = key;
    }
    const auto checkpoint = compression_->checkpoint();
    const QString path = checkpoint ? QString::fromStdString(checkpoint->path()) : QString();
    view_->showPass(QFileInfo(path).fileName(), checkpoint ? weightsBytes(path) : -1, compression_->currentRecord(),
                    runnable());
}

bool SideBySideController::runnable() const
{
    const PassRecord *record = compression_->currentRecord();
    return record && canCompress() &&
           (compression_->hasCompressedModel() ||
            (!record->exportPath.empty() && QFileInfo::exists(QString::fromStdString(record->exportPath))));
}

bool SideBySideController::ready() const
{
    return compression_->checkpoint() && runnable() && !(job_ && job_->isRunning());
}

BackgroundJob *SideBySideController::start(const QString &title, Measure measure)
{
    const auto checkpoint = compression_->checkpoint();
    const auto inMemory = compression_->currentModel();
    const PassRecord record = *compression_->currentRecord();
    const ComparedModels known = models_;
    const QString key = key_;
    auto work = [this, checkpoint, inMemory, record, known, key, measure](const JobContext &context,
                                                                          const BackgroundJob::Log &log) {
        const ComparedModels models = loadCompared(*checkpoint, inMemory, record, known,
                                                   [&log](const std::string &line) { log(QString::fromStdString(line)); });
        QMetaObject::invokeMethod(this, [this, key, models] {
            if (key_ == key)
                models_ = models; // the next measurement of this pass loads nothing
        }, Qt::QueuedConnection);
        return measure(context, models, log);
    };
    auto *job = new BackgroundJob(title, work);
    job_ = job;
    connect(job, &BackgroundJob::ended, this, [this] { view_->setBusy(false); });
    view_->setBusy(true);
    jobs_->add(job);
    job->start();
    return job;
}

BackgroundJob *SideBySideController::startPerplexity()
{
    const QString text = view_->textFile()->text().trimmed();
    if (!ready() || text.isEmpty())
        return nullptr;
    const long documents = view_->documents()->value() > 0 ? view_->documents()->value() : -1;
    const auto checkpoint = compression_->checkpoint();
    const QString workspace = compression_->workspace();
    const PassRecord record = *compression_->currentRecord();
    const QString title = tr("Perplexity of %1 and %2 on %3")
                              .arg(QFileInfo(QString::fromStdString(checkpoint->path())).fileName(),
                                   CompressionView::passName(record), QFileInfo(text).fileName());
    return start(title, [this, checkpoint, workspace, record, text, documents](
                            const JobContext &context, const ComparedModels &models, const auto &log) {
        log(tr("measuring both on %1").arg(text));
        auto [original, compressed] = comparePerplexity(models, text.toStdString(), documents, context);
        const QString summary = tr("perplexity %1 → %2 on %3 tokens")
                                    .arg(original.value, 0, 'f', 3)
                                    .arg(compressed.value, 0, 'f', 3)
                                    .arg(original.count);
        keep(checkpoint, workspace, record, std::move(original), std::move(compressed), log);
        return summary;
    });
}

void SideBySideController::keep(const std::shared_ptr<const Checkpoint> &checkpoint, const QString &workspace,
                                PassRecord record, Evaluation original, Evaluation compressed,
                                const std::function<void(const QString &)> &log)
{
    record.evaluations.push_back(std::move(original));
    record.evaluations.push_back(std::move(compressed));
    record = CompressionController::store(workspace, *checkpoint, std::move(record));
    log(tr("saved with pass %1 in %2").arg(QString::fromStdString(record.id), workspace));
    QMetaObject::invokeMethod(this, [this, checkpoint, record] {
        if (compression_->checkpoint() == checkpoint)
            compression_->replaceRecord(record);
    }, Qt::QueuedConnection);
}

BackgroundJob *SideBySideController::startAccuracy()
{
    const QString images = view_->imagesFile()->text().trimmed(), labels = view_->labelsFile()->text().trimmed();
    if (!ready() || images.isEmpty() || labels.isEmpty())
        return nullptr;
    const long limit = view_->imageCount()->value() > 0 ? view_->imageCount()->value() : -1;
    const auto checkpoint = compression_->checkpoint();
    const QString workspace = compression_->workspace();
    const PassRecord record = *compression_->currentRecord();
    const QString title = tr("Accuracy of %1 and %2 on %3")
                              .arg(QFileInfo(QString::fromStdString(compression_->checkpoint()->path())).fileName(),
                                   CompressionView::passName(record), QFileInfo(images).fileName());
    const QString key = key_;
    return start(title, [this, checkpoint, workspace, record, images, labels, limit, key](
                            const JobContext &context, const ComparedModels &models, const auto &log) {
        log(tr("measuring both on %1").arg(images));
        ImageComparison c = compareAccuracy(models, images.toStdString(), labels.toStdString(), limit, context);
        const QString summary = tr("accuracy %1 % → %2 % on %3 images")
                                    .arg(100 * c.original.value, 0, 'f', 2)
                                    .arg(100 * c.compressed.value, 0, 'f', 2)
                                    .arg(c.original.count);
        // The grid: the first images, each with its label and both models' classes.
        const IdxImages set = readIdxImages(images.toStdString());
        const auto name = [&](int64_t cls) {
            return size_t(cls) < c.classNames.size() ? QString::fromStdString(c.classNames[size_t(cls)]) : QString::number(cls);
        };
        std::vector<SideBySideView::Prediction> grid;
        for (size_t i = 0; i < std::min<size_t>(kGridImages, c.labels.size()); ++i) {
            QImage image(int(set.cols), int(set.rows), QImage::Format_Grayscale8);
            for (int64_t row = 0; row < set.rows; ++row)
                std::copy_n(set.image(int64_t(i)).data() + row * set.cols, set.cols, image.scanLine(int(row)));
            grid.push_back({image, name(c.labels[i]), name(c.originalClasses[i]), name(c.compressedClasses[i])});
        }
        QMetaObject::invokeMethod(this, [this, key, grid] {
            if (key_ == key)
                view_->setPredictions(grid);
        }, Qt::QueuedConnection);
        keep(checkpoint, workspace, record, std::move(c.original), std::move(c.compressed), log);
        return summary;
    });
}

BackgroundJob *SideBySideController::startGeneration()
{
    const std::string prompt = view_->prompt()->text().toStdString();
    if (!ready() || prompt.empty())
        return nullptr;
    GenerateOptions options;
    options.maxTokens = view_->maxTokens()->value();
    options.temperature = view_->temperature()->value();
    options.seed = uint64_t(view_->seed()->value());
    const QString title = tr("Generate with %1 and %2")
                              .arg(QFileInfo(QString::fromStdString(compression_->checkpoint()->path())).fileName(),
                                   CompressionView::passName(*compression_->currentRecord()));
    const QString key = key_;
    return start(title, [this, prompt, options, key](const JobContext &context, const ComparedModels &models,
                                                     const auto &log) {
        log(tr("seed %1, temperature %2, at most %3 tokens")
                .arg(options.seed)
                .arg(options.temperature)
                .arg(options.maxTokens));
        const auto [original, compressed] = compareGeneration(models, prompt, options, context);
        const QString before = QString::fromStdString(prompt + original.text);
        const QString after = QString::fromStdString(prompt + compressed.text);
        QMetaObject::invokeMethod(this, [this, key, before, after] {
            if (key_ == key)
                view_->setGenerations(before, after);
        }, Qt::QueuedConnection);
        return tr("%1 and %2 new tokens").arg(original.tokens).arg(compressed.tokens);
    });
}

} // namespace sculpt
