#pragma once
// A measure across depth (block index), one series per role, each point a tensor: what the
// Layers and Diff tabs both plot, and how a pixel of the plot finds the tensor drawn there.

#include <QPointF>
#include <QString>
#include <QStringList>
#include <vector>

class QCPGraph;
class QCustomPlot;

namespace sculpt {

inline constexpr double kPointReachPixels = 10; // how near a point the mouse must be to read or click it
inline constexpr double kClickSlopPixels = 4;   // a press and release further apart than this is a drag

struct DepthSeries {
    QString role;
    QCPGraph *graph = nullptr;
    QStringList tensors; // one per data point, in the graph's order
};

QStringList rolesOf(const std::vector<DepthSeries> &series); // in legend order
QCPGraph *graphOf(const std::vector<DepthSeries> &series, const QString &role); // nullptr when not plotted
// The tensor drawn nearest `pixel` within kPointReachPixels; empty when none is.
QString tensorNear(const QCustomPlot &plot, const std::vector<DepthSeries> &series, QPointF pixel);

} // namespace sculpt
