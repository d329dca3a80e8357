#pragma once
// What every Sculpt plot shares: series colours that read on light and dark backgrounds,
// axes that follow the widget palette, linear or log axes with matching tickers.

#include <QColor>
#include <cstddef>

class QCPAxis;
class QCPAxisRect;
class QCPItemPosition;
class QCustomPlot;
class QPalette;

namespace sculpt {

// Tableau 10, cycling: told apart on light and dark backgrounds alike.
QColor seriesColour(size_t i);

// Background, axes, grid and legend in the palette's colours. A plot draws itself, so it
// does not follow a palette change (dark mode) on its own: call this again on one.
void applyPalette(QCustomPlot &plot, const QPalette &palette);

// Keeps the plot's paint buffers at the device pixel ratio of the screen it is on.
// QCustomPlot 2.1 takes the ratio once, when it is made: a plot made on one screen and shown
// on another of a different ratio (or moved there) would be drawn at the wrong resolution,
// blurred on a high-DPI screen.
void followDevicePixelRatio(QCustomPlot &plot);

// A log axis gets a log ticker and a sub-grid; a linear one plain ticks.
void setLogScale(QCPAxis &axis, bool log);

// Makes an item position's x a plot coordinate and its y a fraction of the plot's height:
// for vertical lines and their tags, which span any y scale, log or not.
void spanVertically(QCPItemPosition *position, QCPAxisRect *rect);

} // namespace sculpt
