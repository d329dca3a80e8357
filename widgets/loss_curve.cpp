#include "loss_curve.h"

#include "plot_style.h"

#include <QLabel>
#include <QVBoxLayout>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sculpt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A log axis has no place for zero or less: such a value leaves a gap.
double onLogAxis(double value) { return value > 0 ? value : kNaN; }

} // namespace

LossCurve::LossCurve(QWidget *parent) : PlotWidget(parent), readout_(new QLabel)
{
    plot()->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot()->axisRect()->setRangeZoom(Qt::Horizontal);
    plot()->axisRect()->setRangeDrag(Qt::Horizontal);
    plot()->xAxis->setLabel(tr("step"));
    plot()->yAxis->setLabel(tr("loss (log)"));
    plot()->yAxis2->setLabel(tr("ratio removed (%)"));
    plot()->yAxis2->setVisible(true);
    setLogScale(*plot()->yAxis, true);
    plot()->yAxis2->setRange(0, 100);

    loss_ = plot()->addGraph(plot()->xAxis, plot()->yAxis);
    loss_->setName(tr("objective"));
    kl_ = plot()->addGraph(plot()->xAxis, plot()->yAxis);
    kl_->setName(tr("KL to the original"));
    ratio_ = plot()->addGraph(plot()->xAxis, plot()->yAxis2);
    ratio_->setName(tr("ratio removed"));
    loss_->setPen(QPen(seriesColour(0), 1.5));
    kl_->setPen(QPen(seriesColour(1), 1.5));
    ratio_->setPen(QPen(seriesColour(4), 1.5));
    // In a row under the plot: a loss may rise or fall, so no corner of it stays empty.
    plot()->legend->setVisible(true);
    plot()->axisRect()->insetLayout()->take(plot()->legend);
    plot()->plotLayout()->addElement(1, 0, plot()->legend);
    plot()->plotLayout()->setRowStretchFactor(1, 0.001);
    plot()->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    QFont small = font();
    if (small.pointSizeF() > 2)
        small.setPointSizeF(small.pointSizeF() - 1);
    plot()->legend->setFont(small);

    target_ = new QCPItemStraightLine(plot());
    for (QCPItemPosition *p : {target_->point1, target_->point2})
        p->setAxes(plot()->xAxis, plot()->yAxis2);
    hint_ = new QCPItemText(plot());
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(plot()->axisRect());
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);

    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot(), 1);
    layout->addWidget(readout_);
    applyPalette();
    start(0);
}

void LossCurve::start(double targetRatio, const QString &note)
{
    targetRatio_ = targetRatio;
    steps_ = 0;
    stage_ = 0;
    for (QCPGraph *g : {loss_, kl_, ratio_})
        g->data()->clear();
    for (QCPItemStraightLine *line : stageLines_)
        plot()->removeItem(line);
    for (QCPItemText *tag : stageTags_)
        plot()->removeItem(tag);
    stageLines_.clear();
    stageTags_.clear();
    target_->point1->setCoords(0, 100 * targetRatio);
    target_->point2->setCoords(1, 100 * targetRatio);
    target_->setVisible(targetRatio > 0);
    hint_->setText(note.isEmpty() ? tr("The loss of a trained pass shows here, step by step.") : note);
    hint_->setVisible(true);
    readout_->setText(targetRatio > 0 ? tr("target: %1 % removed").arg(100 * targetRatio, 0, 'f', 1) : QString());
    rescale();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void LossCurve::markStage(const TrainingStep &step)
{
    if (step.stage == stage_)
        return;
    stage_ = step.stage;
    const double x = double(step.step) - 0.5;
    auto *line = new QCPItemStraightLine(plot());
    auto *tag = new QCPItemText(plot());
    for (QCPItemPosition *p : {line->point1, line->point2, tag->position})
        spanVertically(p, plot()->axisRect());
    line->point1->setCoords(x, 0);
    line->point2->setCoords(x, 1);
    tag->position->setCoords(x, 0);
    tag->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    tag->setPadding(QMargins(4, 2, 4, 2));
    tag->setText(tr("stage %1").arg(step.stage));
    const QColor text = palette().color(QPalette::Text);
    line->setPen(QPen(text, 1, Qt::DotLine));
    tag->setColor(text);
    stageLines_.push_back(line);
    stageTags_.push_back(tag);
}

void LossCurve::addStep(const TrainingStep &step)
{
    hint_->setVisible(false);
    steps_ = std::max(steps_, step.steps);
    markStage(step);
    const double x = double(step.step);
    loss_->addData(x, onLogAxis(step.loss));
    kl_->addData(x, onLogAxis(step.distillation));
    ratio_->addData(x, 100 * step.ratio);
    readout_->setText(tr("step %1 of %2 · stage %3 · loss %4 · KL %5 · ratio removed %6 % (target %7 %)")
                          .arg(step.step)
                          .arg(step.steps)
                          .arg(step.stage)
                          .arg(step.loss, 0, 'g', 4)
                          .arg(step.distillation, 0, 'g', 4)
                          .arg(100 * step.ratio, 0, 'f', 1)
                          .arg(100 * targetRatio_, 0, 'f', 1));
    rescale();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void LossCurve::showLog(const std::vector<TrainingStep> &log, double targetRatio, const QString &note)
{
    start(targetRatio, note);
    for (const TrainingStep &step : log)
        addStep(step);
}

int LossCurve::pointCount() const { return loss_->dataCount(); }

QString LossCurve::readout() const { return readout_->text(); }

// The whole run along x (its length is known from the first step); y from the smallest
// loss or KL to the largest, at most four decades down so a near-zero KL does not flatten
// the rest.
void LossCurve::rescale()
{
    plot()->xAxis->setRange(0, std::max<double>(steps_, 1) + 1);
    double low = std::numeric_limits<double>::infinity(), high = 0;
    for (QCPGraph *g : {loss_, kl_})
        for (const QCPGraphData &point : *g->data())
            if (point.value > 0) {
                low = std::min(low, point.value);
                high = std::max(high, point.value);
            }
    if (high > 0)
        plot()->yAxis->setRange(std::max(low, high * 1e-4) / 1.5, high * 1.5);
    else
        plot()->yAxis->setRange(1e-3, 10);
}

void LossCurve::colourContent(const QPalette &pal)
{
    const QColor text = pal.color(QPalette::Text);
    target_->setPen(QPen(seriesColour(4), 1, Qt::DashLine));
    for (QCPItemStraightLine *line : stageLines_)
        line->setPen(QPen(text, 1, Qt::DotLine));
    for (QCPItemText *tag : stageTags_)
        tag->setColor(text);
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
