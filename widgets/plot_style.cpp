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

} // namespace sculpt
