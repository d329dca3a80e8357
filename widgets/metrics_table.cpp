#include "metrics_table.h"

#include "model/inventory.h"
#include "table_columns.h"

#include <cmath>

namespace sculpt {
namespace {

const TableColumn kColumns[MetricsTableModel::ColumnCount] = {
    {QT_TRANSLATE_NOOP("MetricsTableModel", "Tensor"), "name", QT_TRANSLATE_NOOP("MetricsTableModel", "The tensor's name in the checkpoint.")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "Block"), "block",
     QT_TRANSLATE_NOOP("MetricsTableModel", "The transformer block (or layer) the matrix belongs to; — for embeddings and heads outside blocks.")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "Role"), "role",
     QT_TRANSLATE_NOOP("MetricsTableModel", "What the matrix does in its block: q, k, v, o in attention, gate, up, down or fc1, fc2 in the MLP.")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "Shape"), "shape",
     QT_TRANSLATE_NOOP("MetricsTableModel", "The weight as the [out × in] matrix whose spectrum is computed (conv kernels as out × in·kh·kw).")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "σ_max"), "spectral_norm",
     QT_TRANSLATE_NOOP("MetricsTableModel", "σ_max: the most any input direction is stretched.")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "Stable rank"), "stable_rank",
     QT_TRANSLATE_NOOP("MetricsTableModel", "‖W‖_F²/σ_max²: how many directions carry energy comparable to the largest — a robust, continuous rank.")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "Effective rank"), "effective_rank",
     QT_TRANSLATE_NOOP("MetricsTableModel", "exp of the entropy of σ/Σσ (Roy & Vetterli): the number of equally strong directions that would spread energy as evenly (exact spectra only).")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "r90"), "rank_90",
     QT_TRANSLATE_NOOP("MetricsTableModel", "The smallest rank k whose truncation keeps 90 % of the energy Σ_{i≤k}σ_i²/Σσ².")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "r95"), "rank_95",
     QT_TRANSLATE_NOOP("MetricsTableModel", "The smallest rank k whose truncation keeps 95 % of the energy Σ_{i≤k}σ_i²/Σσ².")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "r99"), "rank_99",
     QT_TRANSLATE_NOOP("MetricsTableModel", "The smallest rank k whose truncation keeps 99 % of the energy Σ_{i≤k}σ_i²/Σσ².")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "k*"), "breakeven_rank",
     QT_TRANSLATE_NOOP("MetricsTableModel", "k* = m·n/(m+n): above it a rank-k factorisation stores more numbers than W itself.")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "alpha"), "alpha",
     QT_TRANSLATE_NOOP("MetricsTableModel", "The power-law exponent of the eigenvalue density λ = σ² above x_min: small alpha (≈2–4) means a heavy tail of strongly learned directions.")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "x_min"), "alpha_xmin",
     QT_TRANSLATE_NOOP("MetricsTableModel", "Where the power-law tail starts, chosen by minimum Kolmogorov–Smirnov distance (Clauset et al., as WeightWatcher does).")},
    {QT_TRANSLATE_NOOP("MetricsTableModel", "KS"), "alpha_ks",
     QT_TRANSLATE_NOOP("MetricsTableModel", "The Kolmogorov–Smirnov distance between the fitted power law and the tail: with the tail size, how far to trust alpha.")},
};

// The value a metric column holds, or nothing when it is unknown (no spectrum yet, a
// preview too short to reach the energy, no power-law fit).
std::optional<double> metric(const TensorSpectrum &s, int column)
{
    const SpectrumMetrics &m = s.metrics;
    const auto known = [](double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); };
    const auto rank = [](long k) { return k < 0 ? std::nullopt : std::optional<double>(double(k)); };
    switch (column) {
    case MetricsTableModel::SpectralNorm: return m.spectralNorm;
    case MetricsTableModel::StableRank: return m.stableRank;
    case MetricsTableModel::EffectiveRank: return known(m.effectiveRank);
    case MetricsTableModel::Rank90: return rank(m.rank90);
    case MetricsTableModel::Rank95: return rank(m.rank95);
    case MetricsTableModel::Rank99: return rank(m.rank99);
    case MetricsTableModel::Breakeven: return m.breakevenRank;
    case MetricsTableModel::Alpha: return m.alpha.valid() ? known(m.alpha.alpha) : std::nullopt;
    case MetricsTableModel::AlphaXmin: return m.alpha.valid() ? known(m.alpha.xmin) : std::nullopt;
    case MetricsTableModel::AlphaKs: return m.alpha.valid() ? known(m.alpha.ks) : std::nullopt;
    default: return std::nullopt;
    }
}

QString display(double value, int column)
{
    switch (column) {
    case MetricsTableModel::Rank90:
    case MetricsTableModel::Rank95:
    case MetricsTableModel::Rank99: return QString::number(qlonglong(value));
    case MetricsTableModel::StableRank:
    case MetricsTableModel::EffectiveRank:
    case MetricsTableModel::Breakeven: return QString::number(value, 'f', 1);
    case MetricsTableModel::Alpha: return QString::number(value, 'f', 2);
    case MetricsTableModel::AlphaKs: return QString::number(value, 'f', 3);
    default: return QString::number(value, 'g', 4);
    }
}

// The digit run starting at `at`, without its leading zeros; `at` moves past it.
QStringView digitRun(const QString &text, qsizetype &at)
{
    while (at + 1 < text.size() && text[at] == QLatin1Char('0') && text[at + 1].isDigit())
        ++at;
    const qsizetype start = at;
    while (at < text.size() && text[at].isDigit())
        ++at;
    return QStringView(text).mid(start, at - start);
}

// Text with its digit runs compared as numbers: layers.2 before layers.10. Done by hand
// because QCollator's numeric mode does nothing in the C locale.
bool naturalLess(const QString &a, const QString &b)
{
    qsizetype i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i].isDigit() && b[j].isDigit()) {
            const QStringView x = digitRun(a, i), y = digitRun(b, j);
            if (x.size() != y.size())
                return x.size() < y.size();
            if (const int c = x.compare(y); c != 0)
                return c < 0;
            continue;
        }
        const QChar x = a[i].toCaseFolded(), y = b[j].toCaseFolded();
        if (x != y)
            return x < y;
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

} // namespace

MetricsTableModel::MetricsTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void MetricsTableModel::showModel(const ModelInventory &inventory)
{
    beginResetModel();
    rows_.clear();
    index_.clear();
    for (const Weight &w : inventory.weights) {
        if (!w.matrix)
            continue;
        Row row;
        row.name = QString::fromStdString(w.name);
        row.block = w.block;
        row.role = QString::fromUtf8(roleName(w.role).data(), qsizetype(roleName(w.role).size()));
        row.rows = w.matrix->rows;
        row.cols = w.matrix->cols;
        index_.insert(row.name, int(rows_.size()));
        rows_.push_back(std::move(row));
    }
    endResetModel();
}

void MetricsTableModel::showSpectrum(const TensorSpectrum &spectrum)
{
    const int row = rowOf(QString::fromStdString(spectrum.name));
    if (row < 0)
        return;
    rows_[size_t(row)].spectrum = spectrum;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int MetricsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int MetricsTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant MetricsTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Row &row = rows_[size_t(index.row())];
    const int column = index.column();
    switch (column) {
    case Name:
        if (role == Qt::DisplayRole || role == SortRole || role == CsvRole)
            return row.name;
        if (role == Qt::ToolTipRole)
            return row.spectrum && row.spectrum->method != "exact"
                       ? tr("%1\nmetrics from a %2 preview, not the exact spectrum")
                             .arg(row.name, QString::fromStdString(row.spectrum->method))
                       : row.name;
        return {};
    case Block:
        // Outside blocks: a dash, sorted with the unknowns, an empty CSV cell.
        if (role == Qt::DisplayRole)
            return row.block < 0 ? QStringLiteral("—") : QString::number(row.block);
        if (role == SortRole)
            return row.block < 0 ? QVariant() : QVariant(row.block);
        if (role == CsvRole)
            return row.block < 0 ? QString() : QString::number(row.block);
        break;
    case Role:
        if (role == Qt::DisplayRole || role == SortRole || role == CsvRole)
            return row.role;
        return {};
    case Shape:
        if (role == Qt::DisplayRole)
            return QStringLiteral("%1 × %2").arg(row.rows).arg(row.cols);
        if (role == CsvRole)
            return QStringLiteral("%1x%2").arg(row.rows).arg(row.cols);
        if (role == SortRole)
            return double(row.rows) * double(row.cols);
        break;
    default: {
        const auto value = row.spectrum ? metric(*row.spectrum, column) : std::nullopt;
        if (role == Qt::DisplayRole)
            return value ? display(*value, column) : QString();
        if (role == SortRole)
            return value ? QVariant(*value) : QVariant();
        if (role == CsvRole)
            return value ? QString::number(*value, 'g', 9) : QString();
        if (role == Qt::ToolTipRole && column == Alpha && row.spectrum && row.spectrum->metrics.alpha.valid())
            return tr("fitted to the %1 largest of %2 eigenvalues")
                .arg(row.spectrum->metrics.alpha.tailSize)
                .arg(row.spectrum->singularValues.size());
        if (role == Qt::ToolTipRole && !value && row.spectrum)
            return tr("unknown: a preview's values do not reach it, or there is no power-law fit");
        break;
    }
    }
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant MetricsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    return columnHeader(kColumns[section], staticMetaObject.className(), role, CsvRole);
}

MetricsSortProxy::MetricsSortProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(MetricsTableModel::SortRole);
    setDynamicSortFilter(true); // spectra arriving during a job take their place at once
}

bool MetricsSortProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant a = left.data(sortRole()), b = right.data(sortRole());
    if (!a.isValid() || !b.isValid()) {
        // Unknown values last whichever way the column is sorted; Qt sorts descending by
        // asking lessThan(right, left).
        if (a.isValid() == b.isValid())
            return false;
        return a.isValid() == (sortOrder() == Qt::AscendingOrder);
    }
    if (a.typeId() == QMetaType::QString)
        return naturalLess(a.toString(), b.toString());
    return a.toDouble() < b.toDouble();
}

} // namespace sculpt
