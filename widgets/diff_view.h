#pragma once
#include "depth_series.h"
#include "plot_widget.h"
#include "records/diff_record.h"

#include <QPointF>
#include <QStringList>
#include <vector>

class QCPGraph;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace sculpt {

class DiffSpectra;

// The Diff tab: the open model (A) against another checkpoint (B), tensor by tensor. Above, one
// measure of the change across depth (block index), one series per role, a click choosing that
// tensor; beside it the chosen tensor's spectra — A's, B's and that of A − B — on a log scale;
// below, the sortable table of every pair, the heaviest change first, with the tensors only one
// side has or whose shapes differ listed under it. A checkpoint dropped here is compared.
class DiffView : public PlotWidget {
    Q_OBJECT
public:
    enum class Measure { RelativeDistance, Cosine, StableRank, SubspaceOverlap };
    // The table's columns.
    enum Column { Name, Block, Role, Shape, Distance, Cosine, MaxAbs, StableRank, Overlap, Columns };

    explicit DiffView(QWidget *parent = nullptr);

    // `record` compares `nameA` (the open model) with its other checkpoint; a default record clears.
    void showDiff(const DiffRecord &record, const QString &nameA);
    const DiffRecord &diff() const { return record_; }
    void setMeasure(Measure measure);
    void chooseTensor(const QString &name); // A's name of a pair
    QString chosenTensor() const { return chosen_; }

    QStringList roles() const; // the plotted series, in legend order
    QCPGraph *series(const QString &role) const;
    QString tensorAt(QPointF pixel) const; // the pair drawn within reach of this plot pixel
    QTableView *table() const { return table_; }
    const QSortFilterProxyModel *sortedTable() const { return sorted_; }
    DiffSpectra *spectra() const { return spectra_; }
    QString summary() const;
    bool exportCsv(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void tensorChosen(const QString &name);
    void compareRequested(const QString &path); // a checkpoint dropped on the view
    void exportCsvRequested();                  // the Export button; the window asks where

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    double valueOf(const TensorDiff &t) const;
    void plotMeasure();
    void fillTable();
    void colourContent(const QPalette &palette) override;

    DiffRecord record_;
    QString chosen_;
    Measure measure_ = Measure::RelativeDistance;
    QLabel *summary_;
    QComboBox *measureChoice_;
    DiffSpectra *spectra_;
    QTableView *table_;
    QStandardItemModel *model_;
    QSortFilterProxyModel *sorted_;
    QLabel *unmatched_;
    std::vector<DepthSeries> series_;
    QPointF pressedAt_;
};

// The chosen pair's three spectra on a log scale: A's, B's and that of A − B.
class DiffSpectra : public PlotWidget {
    Q_OBJECT
public:
    explicit DiffSpectra(QWidget *parent = nullptr);
    void showPair(const TensorDiff *pair); // null clears
    QCPGraph *graphOf(int side) const;     // 0 A, 1 B, 2 A − B

private:
    void colourContent(const QPalette &palette) override;
};

} // namespace sculpt
