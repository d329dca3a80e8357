#pragma once
#include "depth_series.h"
#include "plot_widget.h"

#include <QStringList>
#include <QTimer>
#include <optional>
#include <vector>

class QCPGraph;
class QCPItemText;
class QComboBox;
class QLabel;
class QMouseEvent;
class QTableView;

namespace sculpt {

class MetricsSortProxy;
class MetricsTableModel;
struct ModelInventory;
struct TensorSpectrum;

// The whole model at a glance: one metric plotted across depth (block index), one series
// per role (q, k, v, o, gate, up, down …), and beside it the sortable table of every
// matrix's metrics. Clicking a point or a row chooses that tensor.
class LayerOverview : public PlotWidget {
    Q_OBJECT
public:
    enum class Metric { Alpha, StableRank, EffectiveRank, EnergyAtRatio };

    explicit LayerOverview(QWidget *parent = nullptr);
    ~LayerOverview() override;

    void showModel(const ModelInventory &inventory);
    void showSpectrum(const TensorSpectrum &spectrum);
    // The compression the energy metric is taken at, as the rank cursor's target: each
    // matrix is cut at the largest rank that saves at least this much.
    void setTargetRatio(double ratio);
    void setMetric(Metric metric);
    Metric metric() const { return metric_; }
    // Ringed on the plot and selected in the table.
    void setSelectedTensors(const QStringList &names);

    // The plot is redrawn once the events queued now are handled, so a burst of spectra
    // costs one redraw; until then series() shows the previous state.
    QStringList roles() const; // the plotted series, in legend order
    QCPGraph *series(const QString &role) const;
    QString tensorAt(QPointF pixel) const; // the tensor drawn within reach of this plot pixel
    QString hoverText() const { return hover_; }

    QTableView *table() const { return table_; }
    MetricsTableModel *metricsModel() const { return model_; }
    MetricsSortProxy *sortedMetrics() const { return sorted_; } // in the table's order
    bool exportCsv(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void tensorChosen(const QString &name);
    void exportCsvRequested(); // the table's Export button; the window asks where

private:
    std::optional<double> valueOf(int row) const;
    QString metricName() const;
    void rebuild();
    void showSelectionRings();
    void colourContent(const QPalette &palette) override;
    void onMouseMove(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);

    QComboBox *metricChoice_;
    QLabel *infoLabel_;
    QTableView *table_;
    MetricsTableModel *model_;
    MetricsSortProxy *sorted_;
    QCPGraph *rings_;
    QCPItemText *hint_;
    QTimer rebuildSoon_;

    std::vector<DepthSeries> series_;
    QStringList selected_;
    Metric metric_ = Metric::Alpha;
    double targetRatio_ = 0.5;
    QString hover_, idle_;
    QPointF pressedAt_;
    bool syncingTable_ = false; // selecting rows for setSelectedTensors, not the user
};

} // namespace sculpt
