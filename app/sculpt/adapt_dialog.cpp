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

AdaptDialog::AdaptDialog(const QString &model, std::vector<AdapterKindInfo> kinds, const AdaptRequest &request,
                         QWidget *parent)
    : QDialog(parent), base_(request), kinds_(std::move(kinds)), method_(new QComboBox),
      training_(makeTrainingFields(request.rank, request.experts, request.learningRate, request.seed, this)),
      epochs_(new QSpinBox), output_(new QLineEdit(QString::fromStdString(request.output)))
{
    setWindowTitle(tr("Adapt %1").arg(model));
    auto *form = new QFormLayout;
    task_ = addTaskRow(form, request.task, request.dataRoot, this);
    for (const AdapterKindInfo &kind : kinds_)
        method_->addItem(QString::fromStdString(kind.title), QString::fromStdString(kind.name));
    method_->addItem(tr("Linear probe (the classifier only)"), QStringLiteral("linear"));
    method_->addItem(tr("Full fine-tuning"), QStringLiteral("full"));
    method_->setCurrentIndex(std::max(0, method_->findData(QString::fromStdString(request.method))));
    epochs_->setRange(1, 1000);
    epochs_->setValue(request.epochs);
    output_->setClearButtonEnabled(true);
    form->addRow(tr("Method"), method_);
    form->addRow(tr("Rank"), training_.rank);
    form->addRow(tr("Experts"), training_.experts);
    form->addRow(tr("Epochs"), epochs_);
    form->addRow(tr("Learning rate"), training_.learningRate);
    form->addRow(tr("Seed"), training_.seed);
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
    const AdapterKindInfo *kind = findKindInfo(kinds_, method.toStdString());
    training_.rank->setEnabled(kind && kind->reads("rank"));
    training_.experts->setEnabled(kind && kind->reads("experts"));
    // Adapters are written as a PEFT folder when their kind has a folder form; the other
    // methods (a linear probe, full fine-tuning) write the whole model.
    const bool writable = !kind || kind->writesFolder;
    output_->setEnabled(writable);
    output_->setPlaceholderText(writable ? (kind ? tr("optional: a new folder for a PEFT adapter")
                                                 : tr("optional: a new folder for the model"))
                                         : tr("%1 adapters are not written").arg(method));
}

AdaptRequest AdaptDialog::request() const
{
    AdaptRequest r = base_;
    r.task = task_.chosenTask();
    r.dataRoot = task_.chosenDataRoot();
    r.method = method_->currentData().toString().toStdString();
    r.rank = training_.rank->value();
    r.experts = training_.experts->value();
    r.epochs = epochs_->value();
    r.learningRate = training_.learningRate->value();
    r.seed = uint64_t(training_.seed->value());
    r.output = output_->isEnabled() ? output_->text().trimmed().toStdString() : std::string();
    return r;
}

} // namespace sculpt
