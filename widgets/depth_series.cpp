#include "depth_series.h"

#include <qcustomplot.h>

#include <cmath>

namespace sculpt {

QStringList rolesOf(const std::vector<DepthSeries> &series)
{
    QStringList names;
    for (const DepthSeries &s : series)
        names << s.role;
    return names;
}

QCPGraph *graphOf(const std::vector<DepthSeries> &series, const QString &role)
{
    for (const DepthSeries &s : series)
        if (s.role == role)
            return s.graph;
    return nullptr;
}

QString tensorNear(const QCustomPlot &plot, const std::vector<DepthSeries> &series, QPointF pixel)
{
    QString nearest;
    double nearestDistance = kPointReachPixels;
    for (const DepthSeries &s : series) {
        const auto data = s.graph->data();
        for (int i = 0; i < data->size(); ++i) {
            const double distance = std::hypot(plot.xAxis->coordToPixel(data->at(i)->key) - pixel.x(),
                                               plot.yAxis->coordToPixel(data->at(i)->value) - pixel.y());
            if (distance < nearestDistance) {
                nearestDistance = distance;
                nearest = s.tensors[i];
            }
        }
    }
    return nearest;
}

} // namespace sculpt
