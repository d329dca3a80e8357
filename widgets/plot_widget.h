#pragma once
#include <QSize>
#include <QString>
#include <QWidget>

class QCustomPlot;

namespace sculpt {

// What every Sculpt plot shares: a QCustomPlot that follows the widget's palette (dark mode
// included) and the device pixel ratio of the screen it is on, and that can be written to a
// file. QCustomPlot follows neither on its own: it draws in the colours it was given, at the
// ratio it was made at.
class PlotWidget : public QWidget {
    Q_OBJECT
public:
    QCustomPlot *plot() const { return plot_; }

    // Writes the plot as PNG, PDF or SVG, chosen by the suffix of `path` (case-insensitive), at
    // `size` in pixels; when empty, at the plot's on-screen size, which for a PNG means the
    // screen's device pixels (at device pixel ratio 2, twice the size, at 192 dpi). `title`
    // names the drawing in an SVG's metadata. Returns false with `error` set when the suffix
    // is unknown or the file cannot be written.
    bool exportPlot(const QString &path, const QString &title, QSize size = {}, QString *error = nullptr) const;

protected:
    // The subclass puts plot() in its layout.
    explicit PlotWidget(QWidget *parent = nullptr);

    // Colours the whole plot in the widget's palette. The subclass calls it once what it
    // draws exists; a palette change calls it again.
    void applyPalette();

    bool event(QEvent *event) override;

private:
    // What the subclass draws itself (graphs, lines, tags, hints), in `palette`; the
    // background, axes, grid and legend are coloured already.
    virtual void colourContent(const QPalette &palette) = 0;
    // QCustomPlot 2.1 takes the ratio once, when it is made: a plot made on one screen and
    // shown on another of a different ratio (or moved there) would be drawn at the wrong
    // resolution, blurred on a high-DPI screen.
    void followDevicePixelRatio();

    QCustomPlot *plot_;
};

} // namespace sculpt
