#pragma once
#include <QTreeWidget>

namespace sculpt {

class Checkpoint;
struct ModelInventory;

// The model's tensors grouped by block: one top-level item per block (plus one for
// everything outside blocks), one child per tensor with its role, dtype and shape.
class ModelTree : public QTreeWidget {
    Q_OBJECT
public:
    enum Column { Name, Role, DType, Shape, Matrix, ColumnCount };

    static constexpr size_t kExpandAllBelow = 200;

    explicit ModelTree(QWidget *parent = nullptr);
    void showModel(const Checkpoint &checkpoint, const ModelInventory &inventory);
};

} // namespace sculpt
