#include "task_fields.h"

#include "browse_row.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLineEdit>

#include <algorithm>

namespace sculpt {

std::string TaskFields::chosenTask() const { return task->currentData().toString().toStdString(); }
std::string TaskFields::chosenDataRoot() const { return dataRoot->text().trimmed().toStdString(); }

TaskFields addTaskRow(QFormLayout *form, const std::string &task, const std::string &dataRoot, QWidget *dialog)
{
    TaskFields fields{new QComboBox(dialog), new QLineEdit(QString::fromStdString(dataRoot), dialog)};
    fields.task->addItem(QObject::tr("t1: MNIST digits"), QStringLiteral("t1"));
    fields.task->addItem(QObject::tr("t2: OpenCV's handwritten digits"), QStringLiteral("t2"));
    fields.task->addItem(QObject::tr("t3: Fashion-MNIST"), QStringLiteral("t3"));
    fields.task->setCurrentIndex(std::max(0, fields.task->findData(QString::fromStdString(task))));
    form->addRow(QObject::tr("Task"), fields.task);
    return fields;
}

void addDataRootRow(QFormLayout *form, const TaskFields &fields, QWidget *dialog)
{
    form->addRow(QObject::tr("Data folder"), withBrowseButton(fields.dataRoot, [dialog](const QString &current) {
                     return QFileDialog::getExistingDirectory(dialog, QObject::tr("Folder with models/ and datasets/"),
                                                              current);
                 }));
}

} // namespace sculpt
