#include "model_tree.h"

#include "analysis/spectrum.h"
#include "io/checkpoint.h"
#include "model/inventory.h"

#include <QHeaderView>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>
#include <QSignalBlocker>
#include <map>
#include <utility>

namespace sculpt {
namespace {

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QString count(uint64_t n) { return QLocale().toString(static_cast<qulonglong>(n)); }

bool isTensor(const QTreeWidgetItem *item) { return item->parent() != nullptr; }

} // namespace

ModelTree::ModelTree(QWidget *parent) : QTreeWidget(parent)
{
    setColumnCount(ColumnCount);
    setHeaderLabels({tr("Tensor"), tr("Role"), tr("Type"), tr("Shape"), tr("Parameters"), tr("Matrix"),
                     tr("Stable rank")});
    headerItem()->setToolTip(Parameters, tr("Number of stored values; a tied tensor shares its storage"));
    headerItem()->setToolTip(Matrix, tr("The weight as an [out, in] matrix, as its spectrum is computed"));
    headerItem()->setToolTip(StableRank, tr("‖W‖²_F / σ²_max: how many directions carry energy comparable to "
                                            "the largest. Filled in by Analyse ▸ Compute spectra."));
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setUniformRowHeights(true); // thousands of tensors in a 70B model
    // Rows sit under their block, so the end of a name (the projection) is what tells them
    // apart when space is short.
    setTextElideMode(Qt::ElideLeft);
    header()->setSectionResizeMode(Name, QHeaderView::Stretch);
    header()->setStretchLastSection(false);
    // Sized for the widest usual entries, since collapsed rows cannot be measured.
    const QFontMetrics metrics(font());
    const auto fit = [&](int column, const char *widest) {
        setColumnWidth(column, metrics.horizontalAdvance(QString::fromUtf8(widest)) + 12);
    };
    fit(Role, "embed");
    fit(DType, "F8_E4M3");
    fit(Shape, "[128256, 4096]");
    fit(Parameters, "525,336,576");
    fit(Matrix, "128256 × 4096");
    fit(StableRank, "Stable rank");
    connect(this, &QTreeWidget::itemSelectionChanged, this,
            [this] { Q_EMIT tensorSelectionChanged(selectedTensors()); });
}

void ModelTree::showModel(const Checkpoint &checkpoint, const ModelInventory &inventory)
{
    clear();
    tensors_.clear();
    std::map<int, QTreeWidgetItem *> groups;
    std::map<int, uint64_t> groupParameters;
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
        const QString name = QString::fromStdString(w.name);
        item->setText(Name, name);
        item->setText(Role, qs(roleName(w.role)));
        item->setText(DType, qs(dtypeName(t.dtype)));
        item->setText(Shape, QString::fromStdString(shapeText(w.shape)));
        item->setText(Parameters, count(t.elements()));
        item->setTextAlignment(Parameters, Qt::AlignRight | Qt::AlignVCenter);
        if (w.matrix)
            item->setText(Matrix, QStringLiteral("%1 × %2").arg(w.matrix->rows).arg(w.matrix->cols));
        if (t.tiedTo.empty()) {
            groupParameters[w.block] += t.elements();
        } else {
            item->setToolTip(Name, tr("tied to %1").arg(QString::fromStdString(t.tiedTo)));
            item->setToolTip(Parameters, tr("shares the storage of %1: not counted again in the block total")
                                             .arg(QString::fromStdString(t.tiedTo)));
        }
        tensors_.insert(name, item);
    }
    // Blocks in numeric order, with what lies outside them (embeddings, head) first.
    for (const auto &[block, item] : groups) {
        item->setText(Shape, tr("%n tensor(s)", nullptr, item->childCount()));
        item->setText(Parameters, count(groupParameters[block]));
        item->setTextAlignment(Parameters, Qt::AlignRight | Qt::AlignVCenter);
        addTopLevelItem(item);
    }
    // A small model reads best fully open; a large one block by block.
    if (inventory.weights.size() <= kExpandAllBelow)
        expandAll();
}

void ModelTree::setFilter(const QRegularExpression &pattern)
{
    const bool all = pattern.pattern().isEmpty();
    for (int b = 0; b < topLevelItemCount(); ++b) {
        QTreeWidgetItem *block = topLevelItem(b);
        int shown = 0;
        for (int c = 0; c < block->childCount(); ++c) {
            QTreeWidgetItem *tensor = block->child(c);
            const bool match = all || pattern.match(tensor->text(Name)).hasMatch();
            tensor->setHidden(!match);
            shown += match;
        }
        block->setHidden(shown == 0 && block->childCount() > 0);
        // Matches inside a collapsed block would be invisible: open the blocks that have some.
        if (!all && shown > 0)
            block->setExpanded(true);
    }
}

int ModelTree::visibleTensorCount() const
{
    int n = 0;
    for (const QTreeWidgetItem *item : tensors_)
        n += !item->isHidden() && !item->parent()->isHidden();
    return n;
}

QStringList ModelTree::selectedTensors() const
{
    QSet<const QTreeWidgetItem *> chosen;
    for (const QTreeWidgetItem *item : selectedItems()) {
        if (isTensor(item)) {
            chosen.insert(item);
            continue;
        }
        for (int c = 0; c < item->childCount(); ++c)
            if (!item->child(c)->isHidden())
                chosen.insert(item->child(c));
    }
    QStringList names;
    for (int b = 0; b < topLevelItemCount(); ++b)
        for (int c = 0; c < topLevelItem(b)->childCount(); ++c)
            if (const QTreeWidgetItem *tensor = topLevelItem(b)->child(c); chosen.contains(tensor))
                names << tensor->text(Name);
    return names;
}

QTreeWidgetItem *ModelTree::tensorItem(const QString &name) const { return tensors_.value(name); }

void ModelTree::selectTensors(const QStringList &names)
{
    {
        const QSignalBlocker once(this); // one tensorSelectionChanged for the whole selection, below
        clearSelection();
        bool first = true;
        for (const QString &name : names) {
            QTreeWidgetItem *item = tensorItem(name);
            if (!item)
                continue;
            item->parent()->setExpanded(true);
            item->setSelected(true);
            if (std::exchange(first, false)) {
                setCurrentItem(item, 0, QItemSelectionModel::NoUpdate);
                scrollToItem(item);
            }
        }
    }
    Q_EMIT tensorSelectionChanged(selectedTensors());
}

void ModelTree::showSpectrum(const TensorSpectrum &spectrum)
{
    QTreeWidgetItem *item = tensorItem(QString::fromStdString(spectrum.name));
    if (!item)
        return;
    const SpectrumMetrics &m = spectrum.metrics;
    item->setText(StableRank, QString::number(m.stableRank, 'f', 1));
    item->setTextAlignment(StableRank, Qt::AlignRight | Qt::AlignVCenter);
    item->setToolTip(StableRank, tr("%1 spectrum: σ_max %2, stable rank %3, 90 % of the energy by rank %4")
                                     .arg(QString::fromStdString(spectrum.method))
                                     .arg(m.spectralNorm, 0, 'g', 4)
                                     .arg(m.stableRank, 0, 'f', 2)
                                     .arg(m.rank90 >= 0 ? QString::number(m.rank90) : tr("beyond the preview")));
}

void ModelTree::showSkipped(const QString &name, const QString &reason)
{
    QTreeWidgetItem *item = tensorItem(name);
    if (!item)
        return;
    item->setText(StableRank, tr("skipped"));
    item->setToolTip(StableRank, reason);
}

} // namespace sculpt
