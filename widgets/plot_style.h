#pragma once
// What every Sculpt plot draws with: series colours that read on light and dark backgrounds,
// linear or log axes with matching tickers, lines that span the plot's height.

#include <QColor>
#include <cstddef>

class QCPAxis;
class QCPAxisRect;
class QCPItemPosition;

namespace sculpt {

// Tableau 10, cycling: told apart on light and dark backgrounds alike.
QColor seriesColour(size_t i);

// A log axis gets a log ticker and a sub-grid; a linear one plain ticks.
void setLogScale(QCPAxis &axis, bool log);

// Makes an item position's x a plot coordinate and its y a fraction of the plot's height:
// for vertical lines and their tags, which span any y scale, log or not.
void spanVertically(QCPItemPosition *position, QCPAxisRect *rect);

} // namespace sculpt
