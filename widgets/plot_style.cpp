#include "plot_style.h"

#include <iterator>
#include <qcustomplot.h>

namespace sculpt {

QColor seriesColour(size_t i)
{
    static const QRgb colours[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                   0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    return QColor(colours[i % std::size(colours)]);
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

QCPColorGradient viridis()
{
    static const QRgb stops[] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c,
                                 0x27ad81, 0x5dc863, 0xaadc32, 0xfde725};
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (size_t i = 0; i < std::size(stops); ++i)
        gradient.setColorStopAt(double(i) / double(std::size(stops) - 1), QColor(stops[i]));
    return gradient;
}

int heatmapCells(int64_t n) { return n == 1 ? 2 : int(n); }

QCPRange heatmapCentres(int64_t n) { return n == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, double(n - 1)); }

} // namespace sculpt
