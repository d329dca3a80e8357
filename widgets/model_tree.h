#pragma once
#include <QHash>
#include <QTreeWidget>

class QRegularExpression;

namespace sculpt {

class Checkpoint;
struct ModelInventory;
struct TensorSpectrum;

// The model's tensors grouped by block: one top-level item per block (plus one for
// everything outside blocks), one child per tensor with its role, dtype, shape, parameter
// count and, once spectra are computed, its stable rank. Several tensors (or whole
// blocks) can be selected at once for the spectrum plot.
class ModelTree : public QTreeWidget {
    Q_OBJECT
public:
    enum Column { Name, Role, DType, Shape, Parameters, Matrix, StableRank, ColumnCount };

    static constexpr size_t kExpandAllBelow = 200;

    explicit ModelTree(QWidget *parent = nullptr);
    void showModel(const Checkpoint &checkpoint, const ModelInventory &inventory);

    // Shows only the tensors whose name matches (and the blocks holding them); an empty
    // pattern shows everything.
    void setFilter(const QRegularExpression &pattern);
    int visibleTensorCount() const;

    // The selected tensors, a selected block standing for all of its visible tensors, in
    // tree order and without duplicates.
    QStringList selectedTensors() const;
    QTreeWidgetItem *tensorItem(const QString &name) const;
    // Makes it the one selected tensor, its block open and the row scrolled into view.
    void selectTensor(const QString &name) { selectTensors({name}); }
    // Makes these the selected tensors (names the tree lacks are ignored), their blocks open and
    // the first scrolled into view; tensorSelectionChanged comes once.
    void selectTensors(const QStringList &names);

    // Fills the tensor's stable-rank column, or says why it has no spectrum.
    void showSpectrum(const TensorSpectrum &spectrum);
    void showSkipped(const QString &name, const QString &reason);

Q_SIGNALS:
    void tensorSelectionChanged(const QStringList &tensors);

private:
    QHash<QString, QTreeWidgetItem *> tensors_;
};

} // namespace sculpt
