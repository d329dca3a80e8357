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

// What the legend calls a logged value: the conventional names in words, any other as logged.
QString valueName(const std::string &value)
{
    if (value == "loss")
        return LossCurve::tr("objective");
    if (value == "kl")
        return LossCurve::tr("distillation to the original");
    return QString::fromStdString(value);
}

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

    ratio_ = plot()->addGraph(plot()->xAxis, plot()->yAxis2);
    ratio_->setName(tr("ratio removed"));
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
    stage_.clear();
    ratio_->data()->clear();
    for (const auto &[name, g] : values_)
        plot()->removeGraph(g);
    values_.clear();
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
    tag->setText(QString::fromStdString(step.stage));
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
    QString text = tr("step %1 of %2 · %3").arg(step.step).arg(step.steps).arg(QString::fromStdString(step.stage));
    for (const auto &[name, value] : step.values) {
        if (name == "ratio") {
            ratio_->addData(x, 100 * value);
            text += tr(" · ratio removed %1 % (target %2 %)").arg(100 * value, 0, 'f', 1).arg(100 * targetRatio_, 0, 'f', 1);
        } else {
            graphFor(name)->addData(x, onLogAxis(value));
            text += QStringLiteral(" · %1 %2").arg(QString::fromStdString(name)).arg(value, 0, 'g', 4);
        }
    }
    readout_->setText(text);
    rescale();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void LossCurve::showLog(const std::vector<TrainingStep> &log, double targetRatio, const QString &note)
{
    start(targetRatio, note);
    for (const TrainingStep &step : log)
        addStep(step);
}

int LossCurve::pointCount() const { return values_.empty() ? ratio_->dataCount() : values_.front().second->dataCount(); }

QCPGraph *LossCurve::graph(const std::string &value) const
{
    if (value == "ratio")
        return ratio_;
    for (const auto &[name, g] : values_)
        if (name == value)
            return g;
    return nullptr;
}

QCPGraph *LossCurve::graphFor(const std::string &value)
{
    if (QCPGraph *g = graph(value))
        return g;
    QCPGraph *g = plot()->addGraph(plot()->xAxis, plot()->yAxis);
    g->setName(valueName(value));
    // The ratio's colour (4) stays its own.
    g->setPen(QPen(seriesColour(values_.size() < 4 ? values_.size() : values_.size() + 1), 1.5));
    values_.emplace_back(value, g);
    return g;
}

QString LossCurve::readout() const { return readout_->text(); }

// The whole run along x (its length is known from the first step); y from the smallest
// loss or KL to the largest, at most four decades down so a near-zero KL does not flatten
// the rest.
void LossCurve::rescale()
{
    plot()->xAxis->setRange(0, std::max<double>(steps_, 1) + 1);
    double low = std::numeric_limits<double>::infinity(), high = 0;
    for (const auto &[name, g] : values_)
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
