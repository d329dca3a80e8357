#include "expert_routing_map.h"

#include "plot_style.h"

#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <functional>
#include <qcustomplot.h>

namespace sculpt {

namespace {

// Every step-th of `count` labels, at most `most`: beyond, they run into each other on a plot
// this small. The hover names every cell.
QSharedPointer<QCPAxisTickerText> labelTicks(int64_t count, int64_t most, const std::function<QString(int64_t)> &label)
{
    QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
    const int64_t step = std::max<int64_t>(1, (count + most - 1) / most);
    for (int64_t i = 0; i < count; i += step)
        ticks->addTick(double(i), label(i));
    return ticks;
}

} // namespace

ExpertRoutingMap::ExpertRoutingMap(QWidget *parent) : PlotWidget(parent)
{
    QCustomPlot *p = plot();
    p->setMouseTracking(true);
    p->plotLayout()->insertRow(0);
    QFont bold = font();
    bold.setBold(true);
    title_ = new QCPTextElement(p, tr("Lily's router: mean weight per expert"), bold);
    p->plotLayout()->addElement(0, 0, title_);
    scale_ = new QCPColorScale(p);
    scale_->setLabel(tr("weight"));
    p->plotLayout()->addElement(1, 1, scale_);
    auto *sameHeight = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, sameHeight);
    scale_->setMarginGroup(QCP::msTop | QCP::msBottom, sameHeight);
    map_ = new QCPColorMap(p->xAxis, p->yAxis);
    map_->setColorScale(scale_);
    map_->setGradient(viridis());
    map_->setDataRange(QCPRange(0, 1)); // weights are probabilities; a fixed scale lets two runs compare
    map_->setInterpolate(false);        // one flat cell per layer and expert
    p->yAxis->setLabel(tr("layer, role"));
    p->yAxis->setRangeReversed(true);   // the first row at the top, as the model tree lists the blocks
    for (QCPAxis *axis : {p->xAxis, p->yAxis}) {
        axis->setSubTicks(false);
        axis->grid()->setVisible(false); // cell edges show where experts part
    }
    hint_ = new QCPItemText(p);
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(p->axisRect());
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);
    hint_->setText(tr("Runs with Lily adapters show their routers here"));
    connect(p, &QCustomPlot::mouseMove, this, &ExpertRoutingMap::onMouseMove);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(p);

    applyPalette();
    rebuildMap();
}

void ExpertRoutingMap::setRouting(const ExpertRouting &routing)
{
    checkExpertRouting(routing);
    routing_ = routing;
    rebuildMap();
}

std::optional<std::pair<size_t, int64_t>> ExpertRoutingMap::cellAt(QPointF pixel) const
{
    if (!plot()->axisRect()->rect().contains(pixel.toPoint()))
        return std::nullopt;
    const auto expert = int64_t(std::lround(plot()->xAxis->pixelToCoord(pixel.x())));
    const auto row = int64_t(std::lround(plot()->yAxis->pixelToCoord(pixel.y())));
    if (expert < 0 || expert >= routing_.experts || row < 0 || row >= int64_t(routing_.rows.size()))
        return std::nullopt;
    return std::pair(size_t(row), expert);
}

void ExpertRoutingMap::rebuildMap()
{
    const auto rows = int64_t(routing_.rows.size());
    const int64_t experts = routing_.experts;
    const bool empty = routing_.empty();
    hint_->setVisible(empty);
    scale_->setVisible(!empty);
    QCPColorMapData *cells = map_->data();
    cells->setSize(empty ? 0 : heatmapCells(experts), empty ? 0 : heatmapCells(rows));
    if (!empty) {
        cells->setRange(heatmapCentres(experts), heatmapCentres(rows));
        for (int x = 0; x < cells->keySize(); ++x)
            for (int y = 0; y < cells->valueSize(); ++y)
                cells->setCell(x, y, routing_.at(rows == 1 ? 0 : size_t(y), experts == 1 ? 0 : x));
    }
    QCustomPlot *p = plot();
    p->xAxis->setTicker(labelTicks(experts, 8, [](int64_t e) { return tr("expert %1").arg(e); }));
    p->yAxis->setTicker(
        labelTicks(rows, 12, [this](int64_t r) { return QString::fromStdString(routing_.rows[size_t(r)]); }));
    p->xAxis->setRange(-0.5, double(std::max<int64_t>(experts, 1)) - 0.5);
    p->yAxis->setRange(-0.5, double(std::max<int64_t>(rows, 1)) - 0.5);
    hover_.clear();
    p->replot(QCustomPlot::rpQueuedReplot);
}

void ExpertRoutingMap::onMouseMove(QMouseEvent *event)
{
    const auto cell = cellAt(event->position());
    if (!cell) {
        hover_.clear();
        QToolTip::hideText();
        return;
    }
    const auto [row, expert] = *cell;
    hover_ = tr("layer %1 · expert %2: %3 of the weight")
                 .arg(QString::fromStdString(routing_.rows[row]))
                 .arg(expert)
                 .arg(QString::number(routing_.at(row, expert), 'g', 2));
    QToolTip::showText(event->globalPosition().toPoint(), hover_, plot());
}

void ExpertRoutingMap::colourContent(const QPalette &pal)
{
    const QColor text = pal.color(QPalette::Text);
    title_->setTextColor(text);
    QCPAxis *axis = scale_->axis();
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setLabelColor(text);
    axis->setTickLabelColor(text);
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
