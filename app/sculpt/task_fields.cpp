#include "task_fields.h"

#include "browse_row.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>

namespace sculpt {

std::string TaskFields::chosenTask() const
{
    // A named task shows its description; anything typed or browsed is a folder of IDX files.
    const int named = task->findText(task->currentText());
    return named >= 0 ? task->itemData(named).toString().toStdString() : task->currentText().trimmed().toStdString();
}

std::string TaskFields::chosenDataRoot() const { return dataRoot->text().trimmed().toStdString(); }

TaskFields addTaskRow(QFormLayout *form, const std::string &task, const std::string &dataRoot, QWidget *dialog)
{
    TaskFields fields{new QComboBox(dialog), new QLineEdit(QString::fromStdString(dataRoot), dialog)};
    fields.task->setEditable(true);
    fields.task->setInsertPolicy(QComboBox::NoInsert);
    fields.task->addItem(QObject::tr("t1: MNIST digits"), QStringLiteral("t1"));
    fields.task->addItem(QObject::tr("t2: OpenCV's handwritten digits"), QStringLiteral("t2"));
    fields.task->addItem(QObject::tr("t3: Fashion-MNIST"), QStringLiteral("t3"));
    fields.task->setToolTip(QObject::tr("A named task, or a folder of MNIST-style IDX files (train-images-idx3-ubyte, "
                                        "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)"));
    if (const int named = fields.task->findData(QString::fromStdString(task)); named >= 0 || task.empty())
        fields.task->setCurrentIndex(std::max(0, named));
    else
        fields.task->setEditText(QString::fromStdString(task));
    form->addRow(QObject::tr("Task"), withBrowseButton(fields.task, [dialog](const QString &current) {
                     return QFileDialog::getExistingDirectory(dialog, QObject::tr("Folder of IDX files"), current);
                 }));
    return fields;
}

void addDataRootRow(QFormLayout *form, const TaskFields &fields, QWidget *dialog)
{
    form->addRow(QObject::tr("Data folder"), withBrowseButton(fields.dataRoot, [dialog](const QString &current) {
                     return QFileDialog::getExistingDirectory(dialog, QObject::tr("Folder with models/ and datasets/"),
                                                              current);
                 }));
}

TrainingFields makeTrainingFields(int64_t rank, int64_t experts, double learningRate, uint64_t seed, QWidget *dialog)
{
    TrainingFields f{new QSpinBox(dialog), new QSpinBox(dialog), new QSpinBox(dialog), new QDoubleSpinBox(dialog)};
    f.rank->setRange(1, 1024);
    f.rank->setValue(int(rank));
    f.experts->setRange(1, 64);
    f.experts->setValue(int(experts));
    // Full fine-tuning of fashion-vit does best at 1e-3, adapters at 1e-2 (README's tables).
    f.learningRate->setDecimals(5);
    f.learningRate->setRange(1e-5, 1);
    f.learningRate->setSingleStep(1e-3);
    f.learningRate->setValue(learningRate);
    f.seed->setRange(0, 1 << 30);
    f.seed->setValue(int(seed));
    return f;
}

} // namespace sculpt
