#include "peft_controller.h"

#include "background_job.h"
#include "jobs_panel.h"
#include "session/evaluation.h"
#include "session/peft_merge.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QWidget>
#include <algorithm>

namespace sculpt {
namespace {

// "8", or "4–12" when rank_pattern or alpha_pattern give modules values of their own.
template <typename Value>
QString range(const std::vector<LoraDelta> &deltas, Value LoraDelta::*field)
{
    const auto [low, high] = std::minmax_element(deltas.begin(), deltas.end(),
                                                 [&](const LoraDelta &x, const LoraDelta &y) { return x.*field < y.*field; });
    const QString first = QString::number(double((*low).*field));
    return (*low).*field == (*high).*field ? first : first + QStringLiteral("–") + QString::number(double((*high).*field));
}

} // namespace

PeftController::PeftController(JobsPanel *jobs, QWidget *window)
    : QObject(window), jobs_(jobs), window_(window), mergeAction_(new QAction(tr("&Merge adapter and export…"), this))
{
    mergeAction_->setStatusTip(canEvaluate() ? tr("Fold the attached PEFT LoRA adapter into its base model and write "
                                                  "the result as a Hugging Face folder")
                                             : tr("This build cannot run models (configured without LibTorch)"));
    connect(mergeAction_, &QAction::triggered, this, &PeftController::askMerge);
    updateAction();
}

void PeftController::setAdapter(const QString &folder, const QString &base, std::shared_ptr<const LoraSpectra> spectra)
{
    spectra_ = std::move(spectra);
    folder_ = spectra_ ? folder : QString();
    base_ = spectra_ ? base : QString();
    updateAction();
}

QString PeftController::summary() const
{
    if (!spectra_)
        return {};
    const std::vector<LoraDelta> &deltas = spectra_->deltas;
    if (deltas.empty())
        return tr("LoRA adapter %1 attached: no modules").arg(folder_);
    const QString modules = deltas.size() == 1 ? tr("1 module") : tr("%1 modules").arg(deltas.size());
    return tr("LoRA adapter %1 attached: r %2, α %3, %4")
        .arg(folder_, range(deltas, &LoraDelta::rank), range(deltas, &LoraDelta::alpha), modules);
}

const TensorSpectrum *PeftController::deltaOf(const QString &weight) const
{
    if (!spectra_)
        return nullptr;
    const std::string name = weight.toStdString();
    for (const LoraDelta &delta : spectra_->deltas)
        if (delta.baseTensor == name)
            return &delta.spectrum;
    return nullptr;
}

void PeftController::askMerge()
{
    if (!mergeAction_->isEnabled())
        return;
    const QFileInfo peft(folder_);
    auto *dialog = new QFileDialog(window_, tr("Merge %1 into %2 and export to the folder")
                                                .arg(peft.fileName(), QFileInfo(base_).fileName()),
                                   peft.dir().filePath(peft.fileName() + QStringLiteral("-merged")));
    dialog->setObjectName(QStringLiteral("mergeOutput"));
    dialog->setAcceptMode(QFileDialog::AcceptSave); // a folder to create, named like a file
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &output) { startMerge(output); });
    dialog->open(); // window-modal; jobs go on meanwhile
}

BackgroundJob *PeftController::startMerge(const QString &output)
{
    if (!mergeAction_->isEnabled() || output.isEmpty())
        return nullptr;
    const PeftMergeRequest request{folder_.toStdString(), base_.toStdString(), {}, {},
                                   QFileInfo(output).absoluteFilePath().toStdString()};
    auto work = [request](const JobContext &context, const BackgroundJob::Log &log) {
        log(tr("base %1").arg(QString::fromStdString(request.base)));
        const PeftMergeResult result = mergePeftFolder(request, context);
        const QString output = QString::fromStdString(request.output);
        log(tr("wrote %1").arg(output));
        return tr("%n LoRA adapter(s) merged, written to %1", nullptr, int(result.merged)).arg(output);
    };
    auto *job = new BackgroundJob(tr("Merge %1 into %2").arg(QFileInfo(folder_).fileName(), QFileInfo(base_).fileName()),
                                  work);
    mergeJob_ = job;
    connect(job, &BackgroundJob::ended, this, &PeftController::updateAction);
    jobs_->add(job);
    job->start();
    updateAction();
    Q_EMIT started(job);
    return job;
}

void PeftController::updateAction()
{
    mergeAction_->setEnabled(attached() && canEvaluate() && !(mergeJob_ && mergeJob_->isRunning()));
}

} // namespace sculpt
