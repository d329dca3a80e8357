#pragma once
#include "analysis/spectrum.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSortFilterProxyModel>
#include <optional>
#include <vector>

namespace sculpt {

struct ModelInventory;

// One row per weight matrix of the open model with its spectral metrics, filled in as the
// spectra arrive. Each header's tooltip says what its metric means in one sentence.
class MetricsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Name, Block, Role, Shape, SpectralNorm, StableRank, EffectiveRank, Rank90, Rank95, Rank99, Breakeven,
        Alpha, AlphaXmin, AlphaKs, ColumnCount
    };
    enum DataRole {
        SortRole = Qt::UserRole, // a number, or the text; invalid when the value is unknown
        CsvRole,                 // full precision, empty when unknown; in headers the CSV column name
    };

    struct Row {
        QString name;
        int block = -1;
        QString role;
        int64_t rows = 0, cols = 0;
        std::optional<TensorSpectrum> spectrum;
    };

    explicit MetricsTableModel(QObject *parent = nullptr);

    void showModel(const ModelInventory &inventory); // one empty row per matrix
    void showSpectrum(const TensorSpectrum &spectrum);

    const std::vector<Row> &rowsOfModel() const { return rows_; }
    int rowOf(const QString &tensor) const { return index_.value(tensor, -1); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Row> rows_;
    QHash<QString, int> index_;
};

// Sorts the metrics table by SortRole, names with their numbers in numeric order
// (layers.2 before layers.10), and unknown values last in either direction.
class MetricsSortProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit MetricsSortProxy(QObject *parent = nullptr);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
};

} // namespace sculpt
