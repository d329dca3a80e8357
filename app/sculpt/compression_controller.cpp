#include "compression_controller.h"

#include "analysis/content_hash.h"
#include "background_job.h"
#include "bundled_passes.h"
#include "compress_dialog.h"
#include "compression_view.h"
#include "export_dialog.h"
#include "io/checkpoint.h"
#include "jobs_panel.h"
#include "runtime/model_kind.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QWidget>
#include <algorithm>

namespace sculpt {
namespace {

QString percent(double fraction) { return QStringLiteral("%1\u00a0%").arg(100 * fraction, 0, 'f', 1); }

QString modelName(const Checkpoint &checkpoint) { return QFileInfo(QString::fromStdString(checkpoint.path())).fileName(); }

ModelIdentity identity(const Checkpoint &checkpoint) { return {checkpoint.path(), modelFingerprint(checkpoint)}; }

QString passKey(const PassRecord &record) { return QStringLiteral("pass:") + QString::fromStdString(record.id + " " + record.date); }

} // namespace

PassRecord CompressionController::store(const QString &path, const Checkpoint &checkpoint, PassRecord record)
{
    Workspace workspace = Workspace::open(path.toStdString(), identity(checkpoint));
    const std::string id = record.id;
    workspace.putPass(std::move(record));
    workspace.save();
    const std::vector<PassRecord> all = workspace.passes();
    for (const PassRecord &r : all)
        if (!id.empty() && r.id == id)
            return r;
    return all.back();
}

CompressionController::CompressionController(CompressionView *view, JobsPanel *jobs, QWidget *window)
    : QObject(window), view_(view), jobs_(jobs), window_(window),
      compressAction_(new QAction(tr("&Compress…"), this)),
      exportAction_(new QAction(tr("&Export compressed model…"), this))
{
    compressAction_->setShortcut(QKeySequence(tr("Ctrl+K")));
    compressAction_->setStatusTip(canCompress()
                                      ? tr("Run a compression pass (SVD, FWSVD, ASVD, SVD-LLM, SoCo) on the open "
                                           "model")
                                      : tr("This build cannot run models (configured without LibTorch)"));
    exportAction_->setStatusTip(tr("Write the chosen compressed model as a Hugging Face folder"));
    connect(compressAction_, &QAction::triggered, this, &CompressionController::askCompression);
    connect(exportAction_, &QAction::triggered, this, &CompressionController::askExport);
    connect(view_, &CompressionView::exportRequested, this, &CompressionController::askExport);
    connect(view_, &CompressionView::currentChanged, this, [this] {
        updateActions();
        Q_EMIT currentPassChanged();
    });
    updateActions();
}

void CompressionController::setModel(std::shared_ptr<const Checkpoint> checkpoint, std::optional<ModelKind> kind,
                                     const QString &workspace)
{
    checkpoint_ = std::move(checkpoint);
    kind_ = kind;
    workspace_ = workspace;
    entries_.clear();
    view_->endLive(); // a pass still running on the previous model no longer shows here
    showEntries();
}

void CompressionController::setStoredPasses(const std::vector<PassRecord> &passes)
{
    for (const PassRecord &record : passes) {
        const bool known = std::any_of(entries_.begin(), entries_.end(),
                                       [&](const Entry &e) { return e.record.id == record.id; });
        if (!known)
            entries_.push_back({record, nullptr, {}});
    }
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry &a, const Entry &b) { return a.record.id < b.record.id; });
    showEntries();
}

const PassRecord *CompressionController::currentRecord() const
{
    const int i = view_->current();
    return i >= 0 && size_t(i) < entries_.size() ? &entries_[size_t(i)].record : nullptr;
}

bool CompressionController::hasCompressedModel() const { return currentModel() != nullptr; }

std::shared_ptr<const CompressedModel> CompressionController::currentModel() const
{
    const int i = view_->current();
    return i >= 0 && size_t(i) < entries_.size() ? entries_[size_t(i)].model : nullptr;
}

std::vector<CompressionController::RunnablePass> CompressionController::runnablePasses() const
{
    std::vector<RunnablePass> passes;
    for (const Entry &e : entries_)
        if (e.model || (!e.record.exportPath.empty() && QFileInfo::exists(QString::fromStdString(e.record.exportPath))))
            passes.push_back({e.record, e.model, e.tokenizer});
    return passes;
}

std::vector<ModelChooser::Choice> CompressionController::passChoices() const
{
    std::vector<ModelChooser::Choice> choices;
    for (const RunnablePass &pass : runnablePasses())
        choices.push_back({CompressionView::passName(pass.record), passKey(pass.record)});
    return choices;
}

std::optional<CompressionController::RunnablePass> CompressionController::runnablePass(const QString &key) const
{
    for (RunnablePass &pass : runnablePasses())
        if (passKey(pass.record) == key)
            return std::move(pass);
    return std::nullopt;
}

void CompressionController::replaceRecord(const PassRecord &record)
{
    for (Entry &e : entries_)
        if (e.record.id == record.id)
            e.record = record;
    showEntries();
}

std::optional<PassOverlay> CompressionController::overlayFor(const QStringList &tensors) const
{
    const PassRecord *record = currentRecord();
    if (!record)
        return std::nullopt;
    // A projection goes by its weight's name without ".weight".
    for (const QString &tensor : tensors)
        for (const CompressedLayer &layer : record->summary.layers)
            if (QString::fromStdString(layer.name) + QStringLiteral(".weight") == tensor)
                return PassOverlay{CompressionView::passName(*record), QString::fromStdString(record->summary.spectrumOf),
                                   layer};
    return std::nullopt;
}

void CompressionController::showEntries()
{
    std::vector<PassRecord> records;
    for (const Entry &e : entries_)
        records.push_back(e.record);
    view_->setRecords(std::move(records));
    updateActions();
    Q_EMIT currentPassChanged();
}

void CompressionController::updateActions()
{
    compressAction_->setEnabled(checkpoint_ && kind_ && canCompress() &&
                                !(compressionJob_ && compressionJob_->isRunning()));
    const bool exportable = hasCompressedModel() && !(exportJob_ && exportJob_->isRunning());
    exportAction_->setEnabled(exportable);
    view_->setExportEnabled(exportable);
    view_->setCompareEnabled(currentRecord() != nullptr);
}

void CompressionController::askCompression()
{
    if (!compressAction_->isEnabled())
        return;
    // A pass that learns from images with questions is no use to a model that reads no images.
    std::vector<const CompressionPass *> offered = compressionPasses();
    std::erase_if(offered, [&](const CompressionPass *p) { return p->needsImageQuestions() && !readsImages(*checkpoint_); });
    auto *dialog = new CompressDialog(modelName(*checkpoint_), *kind_, offered, window_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->onCluster())
            askClusterExport(dialog->request());
        else
            startCompression(dialog->request());
    });
    dialog->open(); // window-modal; jobs go on meanwhile
}

// A cluster job's model cannot come back through memory: it is exported where the user says.
void CompressionController::askClusterExport(const PassRequest &request)
{
    const QString pass = tr("%1 on the cluster").arg(QString::fromStdString(request.method));
    auto *dialog = new ExportDialog(pass, suggestedFolder(request.method, request.ratio), window_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, request] {
        Q_EMIT clusterRequested(request, QFileInfo(dialog->folder()).absoluteFilePath(), dialog->format());
    });
    dialog->open();
}

QString CompressionController::suggestedFolder(const std::string &method, double ratio) const
{
    const QFileInfo model(QString::fromStdString(checkpoint_->path()));
    return model.dir().filePath(QStringLiteral("%1-%2-%3")
                                    .arg(model.completeBaseName(), QString::fromStdString(method))
                                    .arg(qRound(100 * ratio)));
}

BackgroundJob *CompressionController::startCompression(const PassRequest &request)
{
    if (!compressAction_->isEnabled())
        return nullptr;
    const auto checkpoint = checkpoint_;
    const QString workspace = workspace_;
    const QString method = QString::fromStdString(request.method);
    const std::vector<const CompressionPass *> all = compressionPasses();
    const bool converts = std::any_of(all.begin(), all.end(), [&](const CompressionPass *p) {
        return p->name() == request.method && !p->takesRatio();
    });
    const QString title = converts
                              ? tr("Convert %1 with %2").arg(modelName(*checkpoint), method)
                              : tr("Compress %1 with %2 (%3 removed)").arg(modelName(*checkpoint), method,
                                                                          percent(request.ratio));
    auto work = [this, checkpoint, workspace, request](const JobContext &context, const BackgroundJob::Log &log) {
        Workspace::open(workspace.toStdString(), identity(*checkpoint)); // one that cannot take the result fails now
        // Steps and the result reach the view through queued calls, dropped once another model is open.
        const auto onStep = [this, checkpoint](const TrainingStep &step) {
            QMetaObject::invokeMethod(this, [this, checkpoint, step] {
                if (isCurrent(checkpoint))
                    view_->addLiveStep(step);
            }, Qt::QueuedConnection);
        };
        PassResult result = runCompression(*checkpoint, request, onStep, context,
                                           [&log](const std::string &line) { log(QString::fromStdString(line)); });
        context.checkCancelled(); // a cancel that came as the pass ended still stores nothing
        result.record = store(workspace, *checkpoint, std::move(result.record));
        log(tr("saved to %1 as pass %2").arg(workspace, QString::fromStdString(result.record.id)));
        const CompressionSummary &s = result.record.summary;
        const QString parameters = tr("%1 → %2 parameters")
                                       .arg(QLocale().toString(qlonglong(s.parametersBefore)),
                                            QLocale().toString(qlonglong(s.parametersAfter)));
        QString summary = s.parametersAdded > 0
                              ? parameters
                              : tr("%1 of the targeted parameters removed (%2 of the model), %3")
                                    .arg(percent(s.ratio), percent(s.modelRatio()), parameters);
        if (s.decoderMacsBefore > 0)
            summary += tr(", decoder %1 → %2 GFLOPs per answer")
                           .arg(2e-9 * s.decoderMacsBefore, 0, 'f', 4)
                           .arg(2e-9 * s.decoderMacsAfter, 0, 'f', 4);
        QMetaObject::invokeMethod(this, [this, checkpoint, result = std::move(result)] {
            if (!isCurrent(checkpoint))
                return;
            view_->endLive();
            entries_.push_back({result.record, result.model, result.tokenizer});
            showEntries();
        }, Qt::QueuedConnection);
        return summary;
    };
    auto *job = new BackgroundJob(title, work);
    compressionJob_ = job;
    connect(job, &BackgroundJob::ended, this, [this, checkpoint] {
        if (isCurrent(checkpoint))
            view_->endLive(); // a cancelled or failed pass leaves no row
        updateActions();
    });
    view_->startLive(method, request.ratio);
    jobs_->add(job);
    job->start();
    updateActions();
    Q_EMIT started(job);
    return job;
}

void CompressionController::askExport()
{
    if (!exportAction_->isEnabled())
        return;
    const PassRecord &record = *currentRecord();
    QString suggested = QString::fromStdString(record.exportPath);
    if (suggested.isEmpty())
        suggested = suggestedFolder(record.summary.method, record.summary.targetRatio);
    auto *dialog = new ExportDialog(CompressionView::passName(record), suggested, window_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startExport(dialog->folder(), dialog->format()); });
    dialog->open();
}

BackgroundJob *CompressionController::startExport(const QString &folder, ExportFormat format)
{
    if (!exportAction_->isEnabled() || folder.isEmpty())
        return nullptr;
    const auto checkpoint = checkpoint_;
    const QString workspace = workspace_;
    const Entry entry = entries_[size_t(view_->current())];
    const QString absolute = QFileInfo(folder).absoluteFilePath();
    const QString title = tr("Export %1 to %2").arg(CompressionView::passName(entry.record), QFileInfo(folder).fileName());
    auto work = [this, checkpoint, workspace, entry, absolute, format](const JobContext &context,
                                                                       const BackgroundJob::Log &log) {
        exportCompressed(*entry.model, absolute.toStdString(), format, entry.tokenizer, context);
        const qint64 bytes = QFileInfo(QDir(absolute).filePath(QStringLiteral("model.safetensors"))).size();
        log(tr("wrote %1").arg(absolute));
        PassRecord record = entry.record;
        record.exportPath = absolute.toStdString();
        record.exportFormat = formatName(format);
        record = store(workspace, *checkpoint, std::move(record));
        log(tr("recorded in pass %1 of %2").arg(QString::fromStdString(record.id), workspace));
        QMetaObject::invokeMethod(this, [this, checkpoint, record] {
            if (isCurrent(checkpoint))
                replaceRecord(record);
        }, Qt::QueuedConnection);
        return tr("%1, %2 of weights").arg(QString::fromLatin1(formatName(format)), QLocale().formattedDataSize(bytes));
    };
    auto *job = new BackgroundJob(title, work);
    exportJob_ = job;
    connect(job, &BackgroundJob::ended, this, &CompressionController::updateActions);
    jobs_->add(job);
    job->start();
    updateActions();
    Q_EMIT started(job);
    return job;
}

} // namespace sculpt
