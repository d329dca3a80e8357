#pragma once
// The fields every dialog of a run on an image task starts with: which task, and the folder
// holding the tasks' models/ and datasets/.

#include <cstdint>
#include <string>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;
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

// The adapter and training settings dialogs of fine-tuning runs ask for, ranged alike; each
// dialog lays them out in its own order.
struct TrainingFields {
    QSpinBox *rank, *experts, *seed;
    QDoubleSpinBox *learningRate;
};
TrainingFields makeTrainingFields(int64_t rank, int64_t experts, double learningRate, uint64_t seed, QWidget *dialog);

} // namespace sculpt
