#pragma once
// What every Sculpt plot draws with: series colours that read on light and dark backgrounds,
// linear or log axes with matching tickers, lines that span the plot's height, and the
// heatmaps' colours and cells.

#include <QColor>
#include <cstddef>
#include <cstdint>

class QCPAxis;
class QCPAxisRect;
class QCPColorGradient;
class QCPItemPosition;
class QCPRange;

namespace sculpt {

// Tableau 10, cycling: told apart on light and dark backgrounds alike.
QColor seriesColour(size_t i);

// A log axis gets a log ticker and a sub-grid; a linear one plain ticks.
void setLogScale(QCPAxis &axis, bool log);

// Makes an item position's x a plot coordinate and its y a fraction of the plot's height:
// for vertical lines and their tags, which span any y scale, log or not.
void spanVertically(QCPItemPosition *position, QCPAxisRect *rect);

// Viridis at nine stops: perceptually even and legible in grey, so a difference in a heatmap
// looks as large as it is on light and dark backgrounds alike.
QCPColorGradient viridis();

// QCPColorMap centres its first and last cells on the ends of its range, so a side of one cell
// would have no extent: such a side gets two half-width cells holding the same value.
int heatmapCells(int64_t n);      // the cells along a side of n values
QCPRange heatmapCentres(int64_t n); // the range their centres span

} // namespace sculpt
