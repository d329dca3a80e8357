#pragma once
// The fields every dialog of a run on an image task starts with: which task, and the folder
// holding the tasks' models/ and datasets/.

#include <string>

class QComboBox;
class QFormLayout;
class QLineEdit;
class QWidget;

namespace sculpt {

struct TaskFields {
    QComboBox *task;
    QLineEdit *dataRoot;
    std::string chosenTask() const;
    std::string chosenDataRoot() const;
};

// Adds "Task" first and returns both fields; the data folder's row goes in with addDataRoot,
// last, where less-changed settings sit.
TaskFields addTaskRow(QFormLayout *form, const std::string &task, const std::string &dataRoot, QWidget *dialog);
void addDataRootRow(QFormLayout *form, const TaskFields &fields, QWidget *dialog);

} // namespace sculpt
