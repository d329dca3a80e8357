#include "head_score_dialog.h"

#include "browse_row.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

#include <cmath>

namespace sculpt {

HeadScoreDialog::HeadScoreDialog(const QString &model, const QStringList &strategies, const HeadScoreRequest &request,
                                 QWidget *parent)
    : QDialog(parent), base_(request), strategy_(new QComboBox), adapter_(new QComboBox), epochs_(new QSpinBox)
{
    const bool mask = request.mask >= 0;
    setWindowTitle(mask ? tr("Mask heads of %1").arg(model) : tr("Head scores of %1").arg(model));
    auto *form = new QFormLayout;
    task_ = addTaskRow(form, request.task, request.dataRoot, this);
    strategy_->addItems(strategies);
    strategy_->setCurrentText(QString::fromStdString(request.strategy));
    adapter_->addItems({QStringLiteral("lora"), QStringLiteral("bottleneck"), QStringLiteral("none")});
    adapter_->setCurrentText(QString::fromStdString(request.adapter));
    epochs_->setRange(0, 1000);
    epochs_->setValue(request.epochs);
    epochs_->setToolTip(mask ? tr("Epochs of fine-tuning before scoring, and again with the heads masked")
                             : tr("Epochs of fine-tuning the adapter and the classifier on the task's 800 training "
                                  "images before scoring; 0 scores the model as it is"));
    form->addRow(tr("Strategy"), strategy_);
    form->addRow(tr("Adapter"), adapter_);
    form->addRow(tr("Epochs"), epochs_);
    if (mask) {
        maskPercent_ = new QSpinBox;
        maskPercent_->setRange(0, 100);
        maskPercent_->setSuffix(QStringLiteral(" %"));
        maskPercent_->setValue(int(std::lround(100 * request.mask)));
        maskPercent_->setToolTip(tr("The share of heads with the lowest scores that are masked"));
        perLayer_ = new QCheckBox(tr("Rank heads within each layer"));
        perLayer_->setChecked(request.perLayer);
        output_ = new QLineEdit(QString::fromStdString(request.output));
        output_->setClearButtonEnabled(true);
        output_->setPlaceholderText(tr("optional: a new folder for the pruned model"));
        output_->setToolTip(tr("LoRA merged and the masked heads removed, as a Hugging Face folder"));
        form->addRow(tr("Mask"), maskPercent_);
        form->addRow(QString(), perLayer_);
        form->addRow(tr("Write to"), withBrowseButton(output_, [this](const QString &current) {
                         return QFileDialog::getSaveFileName(this, tr("Folder for the pruned model"), current);
                     }));
    }
    addDataRootRow(form, task_, this);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    setLayout(form);
}

HeadScoreRequest HeadScoreDialog::request() const
{
    HeadScoreRequest r = base_;
    r.task = task_.chosenTask();
    r.strategy = strategy_->currentText().toStdString();
    r.adapter = adapter_->currentText().toStdString();
    r.epochs = epochs_->value();
    r.dataRoot = task_.chosenDataRoot();
    if (maskPercent_) {
        r.mask = maskPercent_->value() / 100.0;
        r.perLayer = perLayer_->isChecked();
        r.output = output_->text().trimmed().toStdString();
    }
    return r;
}

} // namespace sculpt
