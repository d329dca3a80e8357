#include "plot_style.h"

#include <QEvent>
#include <iterator>
#include <qcustomplot.h>

namespace sculpt {
namespace {

// Qt tells a widget its screen (hence perhaps its ratio) changed by ScreenChangeInternal,
// sent down the widget tree; from Qt 6.6 also by DevicePixelRatioChange.
class RatioFollower : public QObject {
public:
    explicit RatioFollower(QCustomPlot *plot) : QObject(plot), plot_(plot) {}

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == plot_ && (event->type() == QEvent::ScreenChangeInternal || event->type() == QEvent::Show
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
                                 || event->type() == QEvent::DevicePixelRatioChange
#endif
                                 )) {
            const double ratio = plot_->devicePixelRatioF();
            if (!qFuzzyCompare(ratio, plot_->bufferDevicePixelRatio())) {
                plot_->setBufferDevicePixelRatio(ratio);
                plot_->replot(QCustomPlot::rpQueuedReplot);
            }
        }
        return false;
    }

private:
    QCustomPlot *plot_;
};

} // namespace

QColor seriesColour(size_t i)
{
    static const QRgb colours[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                   0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    return QColor(colours[i % std::size(colours)]);
}

void followDevicePixelRatio(QCustomPlot &plot) { plot.installEventFilter(new RatioFollower(&plot)); }

void applyPalette(QCustomPlot &plot, const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Text), base = palette.color(QPalette::Base);
    QColor grid = text, subGrid = text, legendBackground = base;
    grid.setAlphaF(0.18f);
    subGrid.setAlphaF(0.07f);
    legendBackground.setAlphaF(0.85f);
    plot.setBackground(palette.brush(QPalette::Base));
    for (QCPAxis *axis : {plot.xAxis, plot.yAxis, plot.xAxis2, plot.yAxis2}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setLabelColor(text);
        axis->setTickLabelColor(text);
        axis->grid()->setPen(QPen(grid, 0, Qt::SolidLine));
        axis->grid()->setSubGridPen(QPen(subGrid, 0, Qt::SolidLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    plot.legend->setBrush(legendBackground);
    plot.legend->setBorderPen(QPen(grid));
    plot.legend->setTextColor(text);
}

void setLogScale(QCPAxis &axis, bool log)
{
    axis.setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    axis.setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                       : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    axis.grid()->setSubGridVisible(log);
}

void spanVertically(QCPItemPosition *position, QCPAxisRect *rect)
{
    position->setAxisRect(rect);
    position->setTypeX(QCPItemPosition::ptPlotCoords);
    position->setTypeY(QCPItemPosition::ptAxisRectRatio);
}

} // namespace sculpt
