#include "model_tree.h"

#include "io/checkpoint.h"
#include "model/inventory.h"

#include <QHeaderView>
#include <map>

namespace sculpt {
namespace {

QString shapeText(const std::vector<int64_t> &shape)
{
    QStringList dims;
    for (int64_t d : shape)
        dims << QString::number(d);
    return QLatin1Char('[') + dims.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

} // namespace

ModelTree::ModelTree(QWidget *parent) : QTreeWidget(parent)
{
    setColumnCount(ColumnCount);
    setHeaderLabels({tr("Tensor"), tr("Role"), tr("Type"), tr("Shape"), tr("Matrix")});
    setUniformRowHeights(true); // thousands of tensors in a 70B model
    header()->setSectionResizeMode(Name, QHeaderView::Stretch);
    header()->setStretchLastSection(false);
    // Sized for the widest usual entries, since collapsed rows cannot be measured.
    const QFontMetrics metrics(font());
    setColumnWidth(Role, metrics.horizontalAdvance(QStringLiteral("embed__")));
    setColumnWidth(DType, metrics.horizontalAdvance(QStringLiteral("F8_E4M3__")));
    setColumnWidth(Shape, metrics.horizontalAdvance(QStringLiteral("[128256, 4096, 3]__")));
    setColumnWidth(Matrix, metrics.horizontalAdvance(QStringLiteral("128256 × 14336__")));
}

void ModelTree::showModel(const Checkpoint &checkpoint, const ModelInventory &inventory)
{
    clear();
    std::map<int, QTreeWidgetItem *> groups;
    const auto groupFor = [&](int block) {
        auto &item = groups[block];
        if (!item) {
            item = new QTreeWidgetItem({block < 0 ? tr("outside blocks") : tr("block %1").arg(block)});
            item->setData(Name, Qt::UserRole, block);
        }
        return item;
    };
    for (size_t i = 0; i < inventory.weights.size(); ++i) {
        const Weight &w = inventory.weights[i];
        const TensorInfo &t = checkpoint.tensors()[i];
        auto *item = new QTreeWidgetItem(groupFor(w.block));
        item->setText(Name, QString::fromStdString(w.name));
        item->setText(Role, qs(roleName(w.role)));
        item->setText(DType, qs(dtypeName(t.dtype)));
        item->setText(Shape, shapeText(w.shape));
        if (w.matrix)
            item->setText(Matrix, QStringLiteral("%1 × %2").arg(w.matrix->rows).arg(w.matrix->cols));
        if (!t.tiedTo.empty())
            item->setToolTip(Name, tr("tied to %1").arg(QString::fromStdString(t.tiedTo)));
    }
    // Blocks in numeric order, with what lies outside them (embeddings, head) first.
    for (const auto &[block, item] : groups) {
        item->setText(Shape, tr("%n tensor(s)", nullptr, item->childCount()));
        addTopLevelItem(item);
    }
    // A small model reads best fully open; a large one block by block.
    if (inventory.weights.size() <= kExpandAllBelow)
        expandAll();
}

} // namespace sculpt
