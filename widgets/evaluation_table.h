#pragma once
#include "records/evaluation.h"

#include <QAbstractTableModel>
#include <QWidget>
#include <vector>

class QSortFilterProxyModel;
class QTableView;

namespace sculpt {

// The evaluations of the open model, one row each: metric, value, the data it was measured
// on, how much was counted, settings, when, how long, and on which weights. Rows measured on
// other weights than the open ones are greyed.
class EvaluationTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Metric, Value, Data, Count, Settings, Date, Duration, Weights, ColumnCount };
    enum DataRole {
        SortRole = Qt::UserRole, // a number, a date or the text
        CsvRole,                 // full precision and full paths; in headers the CSV column name
    };

    explicit EvaluationTableModel(QObject *parent = nullptr);

    void setEvaluations(std::vector<Evaluation> evaluations);
    void addEvaluation(Evaluation evaluation);
    // The open model's weights hash; rows with another are greyed. Empty: not known yet.
    void setCurrentWeights(const QString &hash);
    bool isStale(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Evaluation> rows_;
    QString currentWeights_;
};

// The table, sortable by any column (newest first to start with), above an Export button.
class EvaluationTable : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationTable(QWidget *parent = nullptr);

    EvaluationTableModel *model() const { return model_; }
    QTableView *view() const { return view_; }
    // The value of `column` in the row shown at `row`, as displayed (after sorting).
    QString shownText(int row, int column) const;

    // Writes the rows as CSV in the order they are sorted on screen.
    bool exportCsv(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void exportCsvRequested();

private:
    EvaluationTableModel *model_;
    QSortFilterProxyModel *sorted_;
    QTableView *view_;
};

} // namespace sculpt
