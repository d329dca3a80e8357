#include "adaptation_curve.h"

#include "plot_style.h"

#include <QVBoxLayout>
#include <algorithm>
#include <qcustomplot.h>

namespace sculpt {

AdaptationCurve::AdaptationCurve(QWidget *parent) : PlotWidget(parent)
{
    QCustomPlot *p = plot();
    p->plotLayout()->insertRow(0);
    QFont bold = font();
    bold.setBold(true);
    title_ = new QCPTextElement(p, QString(), bold);
    p->plotLayout()->addElement(0, 0, title_);
    p->xAxis->setLabel(tr("epoch"));
    p->yAxis->setLabel(tr("training loss"));
    p->yAxis2->setLabel(tr("validation accuracy (%)"));
    p->yAxis2->setVisible(true);
    p->yAxis2->setRange(0, 100);
    QSharedPointer<QCPAxisTickerFixed> wholeEpochs(new QCPAxisTickerFixed);
    wholeEpochs->setTickStep(1);
    wholeEpochs->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // every epoch of a short run, fewer of a long one
    p->xAxis->setTicker(wholeEpochs);
    p->xAxis->setSubTicks(false);

    loss_ = p->addGraph(p->xAxis, p->yAxis);
    loss_->setName(tr("training loss"));
    accuracy_ = p->addGraph(p->xAxis, p->yAxis2);
    accuracy_->setName(tr("validation accuracy"));
    // A run trains for a handful of epochs: each one a visible point.
    for (auto [graph, colour] : {std::pair(loss_, 0), std::pair(accuracy_, 1)}) {
        graph->setPen(QPen(seriesColour(size_t(colour)), 1.5));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    }
    // In a row under the plot: the loss falls and the accuracy rises, and both corners fill.
    p->legend->setVisible(true);
    p->axisRect()->insetLayout()->take(p->legend);
    p->plotLayout()->addElement(2, 0, p->legend);
    p->plotLayout()->setRowStretchFactor(2, 0.001);
    p->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);

    maskLine_ = new QCPItemStraightLine(p);
    maskTag_ = new QCPItemText(p);
    for (QCPItemPosition *position : {maskLine_->point1, maskLine_->point2, maskTag_->position})
        spanVertically(position, p->axisRect());
    maskTag_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    maskTag_->setPadding(QMargins(4, 2, 4, 2));
    maskTag_->setText(tr("heads masked"));
    hint_ = new QCPItemText(p);
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(p->axisRect());
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(p);
    applyPalette();
    start({}, 0);
}

void AdaptationCurve::start(const QString &title, int64_t epochs, int64_t maskedFrom, const QString &note)
{
    title_->setText(title);
    epochs_ = epochs;
    loss_->data()->clear();
    accuracy_->data()->clear();
    // Between the last epoch with every head and the first without some.
    const double x = double(maskedFrom) + 0.5;
    maskLine_->point1->setCoords(x, 0);
    maskLine_->point2->setCoords(x, 1);
    maskTag_->position->setCoords(x, 0);
    maskLine_->setVisible(maskedFrom > 0);
    maskTag_->setVisible(maskedFrom > 0);
    hint_->setText(note.isEmpty() ? tr("Each epoch's loss and accuracy show here as it ends.") : note);
    hint_->setVisible(true);
    rescale();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void AdaptationCurve::addEpoch(const AdaptationEpoch &epoch)
{
    hint_->setVisible(false);
    epochs_ = std::max(epochs_, epoch.epoch);
    loss_->addData(double(epoch.epoch), epoch.trainLoss);
    accuracy_->addData(double(epoch.epoch), 100 * epoch.validationAccuracy);
    rescale();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

int AdaptationCurve::pointCount() const { return loss_->dataCount(); }

QString AdaptationCurve::title() const { return title_->text(); }

// Every epoch of the run along x; the loss from zero, so its fall reads as a share of where it began.
void AdaptationCurve::rescale()
{
    plot()->xAxis->setRange(0.5, double(std::max<int64_t>(epochs_, 1)) + 0.5);
    bool found = false;
    const QCPRange loss = loss_->getValueRange(found);
    plot()->yAxis->setRange(0, found && loss.upper > 0 ? 1.1 * loss.upper : 1);
}

void AdaptationCurve::colourContent(const QPalette &pal)
{
    const QColor text = pal.color(QPalette::Text);
    title_->setTextColor(text);
    maskLine_->setPen(QPen(text, 1, Qt::DashLine));
    maskTag_->setColor(text);
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
