#include "layer_overview.h"

#include "analysis/metrics.h"
#include "metrics_table.h"
#include "model/inventory.h"
#include "plot_style.h"
#include "rank_cursor.h"
#include "table_csv.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <qcustomplot.h>

namespace sculpt {
namespace {


// The roles in the inventory's order, which fixes each role's colour and marker across
// models: q is always the same blue disc.
QStringList allRoles()
{
    QStringList roles;
    for (int r = 0; r <= int(Role::Other); ++r) {
        const std::string_view name = roleName(Role(r));
        roles << QString::fromUtf8(name.data(), qsizetype(name.size()));
    }
    return roles;
}

QCPScatterStyle markerFor(qsizetype roleIndex, const QColor &colour)
{
    // Shapes as well as colours, so series stay apart where colours repeat or are hard to tell.
    static const QCPScatterStyle::ScatterShape shapes[] = {
        QCPScatterStyle::ssDisc,     QCPScatterStyle::ssSquare,  QCPScatterStyle::ssTriangle,
        QCPScatterStyle::ssDiamond,  QCPScatterStyle::ssCircle,  QCPScatterStyle::ssTriangleInverted,
        QCPScatterStyle::ssCrossSquare, QCPScatterStyle::ssPlusCircle, QCPScatterStyle::ssStar};
    const auto shape = shapes[size_t(roleIndex) % std::size(shapes)];
    return QCPScatterStyle(shape, colour, shape == QCPScatterStyle::ssDisc ? colour : QColor(Qt::transparent), 7);
}

} // namespace

LayerOverview::LayerOverview(QWidget *parent)
    : PlotWidget(parent), metricChoice_(new QComboBox), infoLabel_(new QLabel),
      table_(new QTableView), model_(new MetricsTableModel(this)), sorted_(new MetricsSortProxy(this))
{
    metricChoice_->addItem(tr("alpha (power-law exponent of λ = σ²)"), int(Metric::Alpha));
    metricChoice_->addItem(tr("stable rank"), int(Metric::StableRank));
    metricChoice_->addItem(tr("effective rank"), int(Metric::EffectiveRank));
    metricChoice_->addItem(QString(), int(Metric::EnergyAtRatio)); // named by setTargetRatio
    metricChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    metricChoice_->setToolTip(tr("alpha: small (≈2–4) means a heavy tail of strongly learned directions\n"
                                 "stable rank: ‖W‖_F²/σ_max², how many directions carry comparable energy\n"
                                 "effective rank: exp of the entropy of σ/Σσ\n"
                                 "energy kept: Σ_{i≤k}σ_i²/Σσ² at the largest k that saves the target compression "
                                 "(set it with the rank cursor)"));
    connect(metricChoice_, &QComboBox::currentIndexChanged, this,
            [this] { setMetric(Metric(metricChoice_->currentData().toInt())); });
    auto *exportButton = new QPushButton(tr("Export CSV…"));
    exportButton->setToolTip(tr("Save the table, in its current order and at full precision, as CSV"));
    connect(exportButton, &QPushButton::clicked, this, &LayerOverview::exportCsvRequested);
    infoLabel_->setTextFormat(Qt::PlainText);
    infoLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    plot()->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot()->setMouseTracking(true);
    plot()->xAxis->setLabel(tr("block (depth)"));
    QSharedPointer<QCPAxisTickerFixed> blocks(new QCPAxisTickerFixed);
    blocks->setTickStep(1);
    blocks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // every block when few, every 5th or 10th when many
    plot()->xAxis->setTicker(blocks);
    // The legend beside the plot rather than over it, since points can be anywhere; at the
    // top of its column, with an empty cell below taking the rest of the height.
    auto *legendColumn = new QCPLayoutGrid;
    plot()->plotLayout()->addElement(0, 1, legendColumn);
    plot()->plotLayout()->setColumnStretchFactor(1, 0.001);
    legendColumn->addElement(0, 0, plot()->legend);
    legendColumn->addElement(1, 0, new QCPLayoutElement(plot())); // an empty grid could not grow
    legendColumn->setRowStretchFactor(0, 0.001);
    legendColumn->setMargins(QMargins(0, 6, 6, 0));
    plot()->legend->setVisible(true);
    QFont small = font();
    if (small.pointSizeF() > 2)
        small.setPointSizeF(small.pointSizeF() - 1);
    plot()->legend->setFont(small);
    connect(plot(), &QCustomPlot::mousePress, this, [this](QMouseEvent *event) { pressedAt_ = event->position(); });
    connect(plot(), &QCustomPlot::mouseRelease, this, &LayerOverview::onMouseRelease);
    connect(plot(), &QCustomPlot::mouseMove, this, &LayerOverview::onMouseMove);
    connect(plot(), &QCustomPlot::mouseDoubleClick, this, [this] { rebuild(); });
    rings_ = plot()->addGraph();
    rings_->setLineStyle(QCPGraph::lsNone);
    rings_->removeFromLegend();
    hint_ = new QCPItemText(plot());
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(plot()->axisRect());
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);

    sorted_->setSourceModel(model_);
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(MetricsTableModel::Block, Qt::AscendingOrder); // by depth, checkpoint order within a block
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setTextElideMode(Qt::ElideLeft); // the end of a name (the projection) tells rows apart
    table_->setWordWrap(false);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table_->horizontalHeader()->setStretchLastSection(false);
    table_->setColumnWidth(MetricsTableModel::Name, table_->fontMetrics().horizontalAdvance(
                                                        QStringLiteral("model.layers.00.self_attn.q_proj.weight")));
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!syncingTable_ && current.isValid())
                    Q_EMIT tensorChosen(sorted_->index(current.row(), MetricsTableModel::Name).data().toString());
            });

    rebuildSoon_.setSingleShot(true);
    rebuildSoon_.setInterval(0);
    connect(&rebuildSoon_, &QTimer::timeout, this, &LayerOverview::rebuild);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Metric")));
    top->addWidget(metricChoice_);
    top->addStretch();
    top->addWidget(exportButton);
    auto *plotArea = new QWidget;
    auto *plotLayout = new QVBoxLayout(plotArea);
    plotLayout->setContentsMargins(0, 0, 0, 0);
    plotLayout->addWidget(plot(), 1);
    plotLayout->addWidget(infoLabel_);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(plotArea);
    splitter->addWidget(table_);
    splitter->setSizes({600, 400}); // proportions: the plot gets the larger part
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    setTargetRatio(targetRatio_);
    applyPalette();
    rebuild();
}

LayerOverview::~LayerOverview() = default;

void LayerOverview::showModel(const ModelInventory &inventory)
{
    model_->showModel(inventory);
    table_->resizeColumnsToContents();
    table_->setColumnWidth(MetricsTableModel::Name, std::min(table_->columnWidth(MetricsTableModel::Name), 320));
    selected_.clear();
    rebuildSoon_.start();
}

void LayerOverview::showSpectrum(const TensorSpectrum &spectrum)
{
    model_->showSpectrum(spectrum);
    rebuildSoon_.start();
}

void LayerOverview::setTargetRatio(double ratio)
{
    const bool changed = ratio != targetRatio_;
    targetRatio_ = ratio;
    metricChoice_->setItemText(metricChoice_->findData(int(Metric::EnergyAtRatio)),
                               tr("energy kept at %1 % compression").arg(100 * ratio, 0, 'g', 3));
    if (changed && metric_ == Metric::EnergyAtRatio)
        rebuildSoon_.start();
}

void LayerOverview::setMetric(Metric metric)
{
    metric_ = metric;
    {
        const QSignalBlocker block(metricChoice_);
        metricChoice_->setCurrentIndex(metricChoice_->findData(int(metric)));
    }
    rebuild();
}

QString LayerOverview::metricName() const
{
    switch (metric_) {
    case Metric::Alpha: return tr("alpha");
    case Metric::StableRank: return tr("stable rank");
    case Metric::EffectiveRank: return tr("effective rank");
    case Metric::EnergyAtRatio: return tr("energy kept at %1 % compression").arg(100 * targetRatio_, 0, 'g', 3);
    }
    return {};
}

std::optional<double> LayerOverview::valueOf(int row) const
{
    const MetricsTableModel::Row &r = model_->rowsOfModel()[size_t(row)];
    if (!r.spectrum)
        return std::nullopt;
    const SpectrumMetrics &m = r.spectrum->metrics;
    double value = std::nan("");
    switch (metric_) {
    case Metric::Alpha:
        if (m.alpha.valid())
            value = m.alpha.alpha;
        break;
    case Metric::StableRank: value = m.stableRank; break;
    case Metric::EffectiveRank: value = m.effectiveRank; break;
    case Metric::EnergyAtRatio: {
        // As the rank cursor does: the largest rank that saves the target (rankForCompression),
        // then what the energy curve keeps there. Unknown where a preview stops short of k.
        const long k = cursorRankForRatio(r.rows, r.cols, targetRatio_);
        const std::vector<double> curve =
            energyCurve(r.spectrum->singularValues, m.frobeniusNorm * m.frobeniusNorm);
        if (k == 0)
            value = 0;
        else if (size_t(k) <= curve.size())
            value = curve[size_t(k) - 1];
        break;
    }
    }
    return std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
}

void LayerOverview::rebuild()
{
    rebuildSoon_.stop();
    for (const DepthSeries &s : series_)
        plot()->removeGraph(s.graph);
    series_.clear();
    hover_.clear();

    struct Point {
        int block;
        double value;
        QString tensor;
    };
    const QStringList roleOrder = allRoles();
    std::vector<std::vector<Point>> byRole(size_t(roleOrder.size()));
    int lastBlock = 0;
    double low = std::numeric_limits<double>::infinity(), high = -low;
    const auto &rows = model_->rowsOfModel();
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto value = valueOf(int(i));
        if (rows[i].block < 0 || !value) // embeddings and heads have no depth
            continue;
        byRole[size_t(roleOrder.indexOf(rows[i].role))].push_back({rows[i].block, *value, rows[i].name});
        low = std::min(low, *value);
        high = std::max(high, *value);
        lastBlock = std::max(lastBlock, rows[i].block);
    }
    for (size_t r = 0; r < byRole.size(); ++r) {
        std::vector<Point> &points = byRole[r];
        if (points.empty())
            continue;
        // Checkpoints may store layers.10 before layers.2; the line must run by depth.
        std::stable_sort(points.begin(), points.end(), [](const Point &a, const Point &b) { return a.block < b.block; });
        DepthSeries s;
        s.role = roleOrder[qsizetype(r)];
        QVector<double> keys, values;
        for (const Point &p : points) {
            keys << double(p.block);
            values << p.value;
            s.tensors << p.tensor;
        }
        s.graph = plot()->addGraph();
        s.graph->setName(s.role);
        s.graph->setData(keys, values, true); // already sorted, and kept so: point i is tensor i
        const QColor colour = seriesColour(r);
        s.graph->setPen(QPen(colour, 1.5));
        s.graph->setScatterStyle(markerFor(qsizetype(r), colour));
        series_.push_back(std::move(s));
    }
    plot()->yAxis->setLabel(metricName());
    plot()->xAxis->setRange(-0.5, lastBlock + 0.5);
    if (metric_ == Metric::EnergyAtRatio)
        plot()->yAxis->setRange(0, 1.05);
    else if (low <= high) {
        const double pad = std::max(0.08 * (high - low), 0.05 * std::abs(high) + 1e-9);
        plot()->yAxis->setRange(low - pad, high + pad);
    }
    plot()->xAxis->setTickLabels(!series_.empty());
    plot()->yAxis->setTickLabels(!series_.empty());
    hint_->setVisible(series_.empty());
    hint_->setText(model_->rowCount() == 0
                       ? tr("Open a model to compare its layers.")
                       : tr("No %1 yet for the matrices in blocks.\nAnalyse ▸ Compute spectra fills this in as each "
                            "matrix finishes.")
                             .arg(metricName()));
    idle_ = series_.empty() ? QString()
                            : tr("hover a point to read it · click it to select the tensor · wheel: zoom · drag: pan · "
                                 "double-click: fit");
    infoLabel_->setText(idle_);
    showSelectionRings();
}

void LayerOverview::setSelectedTensors(const QStringList &names)
{
    selected_ = names;
    showSelectionRings();
    // The table follows too, without reporting it back as a choice.
    syncingTable_ = true;
    QItemSelection rows;
    for (const QString &name : names)
        if (const int row = model_->rowOf(name); row >= 0) {
            const QModelIndex at = sorted_->mapFromSource(model_->index(row, 0));
            rows.select(at, at.siblingAtColumn(MetricsTableModel::ColumnCount - 1));
        }
    table_->selectionModel()->select(rows, QItemSelectionModel::ClearAndSelect);
    if (!rows.isEmpty())
        table_->scrollTo(rows.first().topLeft());
    syncingTable_ = false;
}

void LayerOverview::showSelectionRings()
{
    QVector<double> keys, values;
    for (const DepthSeries &s : series_) {
        const auto data = s.graph->data();
        for (qsizetype i = 0; i < s.tensors.size(); ++i)
            if (selected_.contains(s.tensors[i])) {
                keys << data->at(int(i))->key;
                values << data->at(int(i))->value;
            }
    }
    rings_->setData(keys, values); // sorts by key: its points need no names
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

QStringList LayerOverview::roles() const { return rolesOf(series_); }

QCPGraph *LayerOverview::series(const QString &role) const { return graphOf(series_, role); }

QString LayerOverview::tensorAt(QPointF pixel) const { return tensorNear(*plot(), series_, pixel); }

void LayerOverview::onMouseMove(QMouseEvent *event)
{
    const QString tensor = tensorAt(event->position());
    plot()->setCursor(tensor.isEmpty() ? Qt::ArrowCursor : Qt::PointingHandCursor);
    if (tensor.isEmpty()) {
        hover_.clear();
        infoLabel_->setText(idle_);
        return;
    }
    const int row = model_->rowOf(tensor);
    const MetricsTableModel::Row &r = model_->rowsOfModel()[size_t(row)];
    hover_ = tr("%1 · block %2 · %3 · %4 %5")
                 .arg(tensor)
                 .arg(r.block)
                 .arg(r.role, metricName(), QString::number(*valueOf(row), 'g', 4));
    infoLabel_->setText(hover_);
}

void LayerOverview::onMouseRelease(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || QLineF(pressedAt_, event->position()).length() > kClickSlopPixels)
        return; // a drag pans the plot; only a click chooses
    const QString tensor = tensorAt(event->position());
    if (!tensor.isEmpty())
        Q_EMIT tensorChosen(tensor);
}

bool LayerOverview::exportCsv(const QString &path, QString *error) const
{
    return saveTableCsv(*sorted_, MetricsTableModel::CsvRole, path, error);
}

void LayerOverview::colourContent(const QPalette &pal)
{
    rings_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(pal.color(QPalette::Text), 2),
                                            Qt::NoBrush, 15));
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
