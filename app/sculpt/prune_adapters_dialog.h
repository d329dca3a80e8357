#pragma once
// Analyse ▸ Prune adapters…: which image task, which adapters and how long to warm them up,
// the fraction to prune, how pruned positions are served (a rule of the pruning, or none) and
// whether the knowledge checkpoint keeps what they learned, and how long to train on.

#include "session/adapter_pruning.h"
#include "task_fields.h"

#include <QDialog>

#include <string>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace sculpt {

class PruneAdaptersDialog : public QDialog {
    Q_OBJECT
public:
    // `kinds`: the adapters to offer; `prunings`: each pruning with its share rules; `request`
    // fills the fields.
    PruneAdaptersDialog(const QString &model, std::vector<AdapterKindInfo> kinds,
                        std::vector<std::pair<std::string, std::vector<std::string>>> prunings,
                        const PruneAdaptersRequest &request, QWidget *parent = nullptr);
    PruneAdaptersRequest request() const;

private:
    void updateFields(); // what the chosen adapter and pruning use

    PruneAdaptersRequest base_;
    std::vector<AdapterKindInfo> kinds_;
    std::vector<std::pair<std::string, std::vector<std::string>>> prunings_;
    TaskFields task_;
    QComboBox *method_, *adapter_, *share_;
    TrainingFields training_;
    QSpinBox *warmup_, *epochs_, *prune_;
    QCheckBox *checkpoint_;
};

} // namespace sculpt
