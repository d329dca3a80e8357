#include "adapt_dialog.h"

#include "browse_row.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

namespace sculpt {

AdaptDialog::AdaptDialog(const QString &model, const AdaptRequest &request, QWidget *parent)
    : QDialog(parent), base_(request), method_(new QComboBox), rank_(new QSpinBox), epochs_(new QSpinBox),
      seed_(new QSpinBox), learningRate_(new QDoubleSpinBox), output_(new QLineEdit(QString::fromStdString(request.output)))
{
    setWindowTitle(tr("Adapt %1").arg(model));
    auto *form = new QFormLayout;
    task_ = addTaskRow(form, request.task, request.dataRoot, this);
    method_->addItem(tr("LoRA on q and v"), QStringLiteral("lora"));
    method_->addItem(tr("Bottleneck adapters beside each MLP"), QStringLiteral("bottleneck"));
    method_->addItem(tr("Linear probe (the classifier only)"), QStringLiteral("linear"));
    method_->addItem(tr("Full fine-tuning"), QStringLiteral("full"));
    method_->setCurrentIndex(std::max(0, method_->findData(QString::fromStdString(request.method))));
    rank_->setRange(1, 1024);
    rank_->setValue(int(request.rank));
    epochs_->setRange(1, 1000);
    epochs_->setValue(request.epochs);
    // Full fine-tuning of fashion-vit does best at 1e-3, adapters at 1e-2 (README's tables).
    learningRate_->setDecimals(5);
    learningRate_->setRange(1e-5, 1);
    learningRate_->setSingleStep(1e-3);
    learningRate_->setValue(request.learningRate);
    seed_->setRange(0, 1 << 30);
    seed_->setValue(int(request.seed));
    output_->setClearButtonEnabled(true);
    form->addRow(tr("Method"), method_);
    form->addRow(tr("Rank"), rank_);
    form->addRow(tr("Epochs"), epochs_);
    form->addRow(tr("Learning rate"), learningRate_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(tr("Write to"), withBrowseButton(output_, [this](const QString &current) {
                     return QFileDialog::getSaveFileName(this, tr("Folder for the adapted model"), current);
                 }));
    addDataRootRow(form, task_, this);
    connect(method_, &QComboBox::currentIndexChanged, this, &AdaptDialog::updateFields);
    updateFields();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    setLayout(form);
}

void AdaptDialog::updateFields()
{
    const QString method = method_->currentData().toString();
    rank_->setEnabled(method == QLatin1String("lora") || method == QLatin1String("bottleneck"));
    // Bottleneck adapters have no folder format another tool reads: nothing to write.
    const bool writable = method != QLatin1String("bottleneck");
    output_->setEnabled(writable);
    output_->setPlaceholderText(writable ? (method == QLatin1String("lora") ? tr("optional: a new folder for a PEFT adapter")
                                                                           : tr("optional: a new folder for the model"))
                                         : tr("bottleneck adapters are not written"));
}

AdaptRequest AdaptDialog::request() const
{
    AdaptRequest r = base_;
    r.task = task_.chosenTask();
    r.dataRoot = task_.chosenDataRoot();
    r.method = method_->currentData().toString().toStdString();
    r.rank = rank_->value();
    r.epochs = epochs_->value();
    r.learningRate = learningRate_->value();
    r.seed = uint64_t(seed_->value());
    r.output = output_->isEnabled() ? output_->text().trimmed().toStdString() : std::string();
    return r;
}

} // namespace sculpt
