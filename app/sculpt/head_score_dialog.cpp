#include "head_score_dialog.h"

#include "browse_row.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

namespace sculpt {

HeadScoreDialog::HeadScoreDialog(const QString &model, const QStringList &strategies, const HeadScoreRequest &request,
                                 QWidget *parent)
    : QDialog(parent), base_(request), task_(new QComboBox), strategy_(new QComboBox), adapter_(new QComboBox),
      epochs_(new QSpinBox), dataRoot_(new QLineEdit(QString::fromStdString(request.dataRoot)))
{
    setWindowTitle(tr("Head scores of %1").arg(model));
    task_->addItem(tr("t1: MNIST digits"), QStringLiteral("t1"));
    task_->addItem(tr("t2: OpenCV's handwritten digits"), QStringLiteral("t2"));
    task_->addItem(tr("t3: Fashion-MNIST"), QStringLiteral("t3"));
    task_->setCurrentIndex(std::max(0, task_->findData(QString::fromStdString(request.task))));
    strategy_->addItems(strategies);
    strategy_->setCurrentText(QString::fromStdString(request.strategy));
    adapter_->addItems({QStringLiteral("lora"), QStringLiteral("bottleneck"), QStringLiteral("none")});
    adapter_->setCurrentText(QString::fromStdString(request.adapter));
    epochs_->setRange(0, 1000);
    epochs_->setValue(request.epochs);
    epochs_->setToolTip(tr("Epochs of fine-tuning the adapter and the classifier on the task's 800 training "
                           "images before scoring; 0 scores the model as it is"));

    auto *form = new QFormLayout;
    form->addRow(tr("Task"), task_);
    form->addRow(tr("Strategy"), strategy_);
    form->addRow(tr("Adapter"), adapter_);
    form->addRow(tr("Epochs"), epochs_);
    form->addRow(tr("Data folder"), withBrowseButton(dataRoot_, [this](const QString &current) {
                     return QFileDialog::getExistingDirectory(this, tr("Folder with models/ and datasets/"), current);
                 }));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    setLayout(form);
}

HeadScoreRequest HeadScoreDialog::request() const
{
    HeadScoreRequest r = base_;
    r.task = task_->currentData().toString().toStdString();
    r.strategy = strategy_->currentText().toStdString();
    r.adapter = adapter_->currentText().toStdString();
    r.epochs = epochs_->value();
    r.dataRoot = dataRoot_->text().trimmed().toStdString();
    return r;
}

} // namespace sculpt
