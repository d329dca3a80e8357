#include "esd_plot.h"

#include "plot_style.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sculpt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString number(double value) { return QString::number(value, 'g', 3); }

QString matrixTitle(const TensorSpectrum &s)
{
    const QString name = QString::fromStdString(s.name);
    return s.method == "exact" ? name : QObject::tr("%1 (%2 preview)").arg(name, QString::fromStdString(s.method));
}

} // namespace

EsdPlot::EsdPlot(QWidget *parent)
    : PlotWidget(parent), choice_(new QComboBox), fitLabel_(new QLabel), infoLabel_(new QLabel)
{
    choice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    choice_->setToolTip(tr("The matrix whose eigenvalue density is shown (the rank cursor's matrix)"));
    connect(choice_, &QComboBox::activated, this, [this](int index) {
        setCurrent(index);
        Q_EMIT currentChanged(index);
    });
    fitLabel_->setWordWrap(true);
    fitLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    fitLabel_->setToolTip(
        tr("The power-law exponent α of the eigenvalue density, fitted by maximum likelihood above x_min;\n"
           "x_min is chosen where the Kolmogorov–Smirnov distance between the fit and the data is smallest.\n"
           "Small α (about 2–4): a heavy tail of strongly learned directions. A large KS distance or a short\n"
           "tail means the power law describes this matrix poorly."));
    infoLabel_->setTextFormat(Qt::PlainText);
    infoLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    plot()->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot()->setNoAntialiasingOnDrag(true);
    plot()->setMouseTracking(true);
    setLogScale(*plot()->xAxis, true);
    setLogScale(*plot()->yAxis, true);
    plot()->xAxis->setLabel(tr("eigenvalue λ = σ²"));
    plot()->yAxis->setLabel(tr("density p(λ)"));
    QFont small = font();
    if (small.pointSizeF() > 2)
        small.setPointSizeF(small.pointSizeF() - 1);
    plot()->legend->setFont(small);
    // Heavy tails leave the upper right empty; the density's bulk sits to the left.
    plot()->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignTop);
    connect(plot(), &QCustomPlot::mouseMove, this, &EsdPlot::onMouseMove);
    connect(plot(), &QCustomPlot::mouseDoubleClick, this, [this] {
        rescale();
        plot()->replot();
    });

    histogramGraph_ = plot()->addGraph();
    histogramGraph_->setLineStyle(QCPGraph::lsStepLeft);
    powerLawGraph_ = plot()->addGraph();
    QCPAxisRect *rect = plot()->axisRect();
    xminLine_ = new QCPItemStraightLine(plot());
    spanVertically(xminLine_->point1, rect);
    spanVertically(xminLine_->point2, rect);
    xminTag_ = new QCPItemText(plot());
    spanVertically(xminTag_->position, rect);
    // Upwards along the left of its line from the bottom: the legend takes the top right.
    xminTag_->setRotation(-90);
    xminTag_->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    xminTag_->setPadding(QMargins(4, 2, 4, 2));
    hint_ = new QCPItemText(plot());
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(rect);
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);
    hint_->setText(tr("Select a tensor with a spectrum to see the density of its eigenvalues λ = σ²."));

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Matrix")));
    top->addWidget(choice_);
    top->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(plot(), 1);
    layout->addWidget(infoLabel_);
    layout->addWidget(fitLabel_);

    applyPalette();
    rebuild();
}

void EsdPlot::setSpectra(std::vector<TensorSpectrum> spectra, int current)
{
    spectra_ = std::move(spectra);
    {
        const QSignalBlocker block(choice_);
        choice_->clear();
        for (const auto &s : spectra_)
            choice_->addItem(matrixTitle(s));
    }
    current_ = -1; // so that setCurrent redraws even for the same index
    setCurrent(current);
}

void EsdPlot::setCurrent(int index)
{
    if (index < 0 || size_t(index) >= spectra_.size())
        index = spectra_.empty() ? -1 : 0;
    if (index == current_ && index >= 0 && choice_->currentIndex() == index)
        return;
    current_ = index;
    {
        const QSignalBlocker block(choice_);
        choice_->setCurrentIndex(index);
    }
    choice_->setEnabled(spectra_.size() > 1);
    rebuild();
}

QString EsdPlot::fitText() const { return fitLabel_->text(); }

void EsdPlot::rebuild()
{
    histogramGraph_->data()->clear();
    powerLawGraph_->data()->clear();
    histogram_ = {};
    hover_.clear();
    const bool has = current_ >= 0;
    hint_->setVisible(!has);
    plot()->xAxis->setTickLabels(has);
    plot()->yAxis->setTickLabels(has);
    xminLine_->setVisible(false);
    xminTag_->setVisible(false);
    plot()->legend->setVisible(false);
    if (!has) {
        fitLabel_->clear();
        idle_.clear();
        showHover({});
        plot()->replot(QCustomPlot::rpQueuedReplot);
        return;
    }

    const TensorSpectrum &s = spectra_[size_t(current_)];
    const long values = long(s.singularValues.size());
    histogram_ = esdHistogram(s.singularValues, esdBinCount(values));
    // Each run of non-empty bins is one step line; an empty bin breaks it (a log axis has no 0).
    QVector<double> keys, densities;
    for (size_t i = 0; i < histogram_.counts.size(); ++i) {
        if (histogram_.counts[i] == 0) {
            if (!keys.isEmpty() && !std::isnan(densities.back())) {
                keys << histogram_.edges[i];
                densities << kNaN;
            }
            continue;
        }
        keys << histogram_.edges[i];
        densities << histogram_.density[i];
        const bool runEnds = i + 1 == histogram_.counts.size() || histogram_.counts[i + 1] == 0;
        if (runEnds) { // the step's right edge
            keys << histogram_.edges[i + 1];
            densities << histogram_.density[i];
        }
    }
    histogramGraph_->setData(keys, densities, true);
    histogramGraph_->setName(tr("eigenvalues λ = σ²: %1 in %n log-spaced bin(s)", nullptr,
                                int(histogram_.counts.size()))
                                 .arg(histogram_.total));

    const PowerLawFit &fit = s.metrics.alpha;
    QStringList lines;
    if (fit.valid() && histogram_.total > 0) {
        const double to = histogram_.edges.back();
        powerLawGraph_->setData({fit.xmin, to}, {powerLawDensity(fit, histogram_.total, fit.xmin),
                                                 powerLawDensity(fit, histogram_.total, to)},
                                true);
        powerLawGraph_->setName(tr("power law ∝ λ^−α above x_min, α = %1").arg(fit.alpha, 0, 'f', 2));
        xminLine_->point1->setCoords(fit.xmin, 0);
        xminLine_->point2->setCoords(fit.xmin, 1);
        xminTag_->position->setCoords(fit.xmin, 1);
        xminTag_->setText(tr("x_min %1").arg(number(fit.xmin)));
        xminLine_->setVisible(true);
        xminTag_->setVisible(true);
        lines << tr("α = %1 · x_min = %2 · KS distance %3 · tail %4 of %5 eigenvalues (%6 %)")
                     .arg(fit.alpha, 0, 'f', 2)
                     .arg(number(fit.xmin), QString::number(fit.ks, 'f', 3))
                     .arg(fit.tailSize)
                     .arg(histogram_.total)
                     .arg(100.0 * double(fit.tailSize) / double(histogram_.total), 0, 'f', 0);
    } else {
        lines << tr("No power-law fit: it needs at least 10 distinct positive eigenvalues.");
    }
    if (s.method != "exact")
        lines << tr("A %1 preview: only the largest %2 eigenvalues are shown and fitted.")
                     .arg(QString::fromStdString(s.method))
                     .arg(values);
    if (histogram_.ignored > 0)
        lines << tr("%n zero eigenvalue(s) left out: a log axis cannot place them.", nullptr, int(histogram_.ignored));
    fitLabel_->setText(lines.join(QLatin1Char('\n')));
    idle_ = tr("%1 (%2 × %3) · hover a bar to read it · wheel: zoom · drag: pan · double-click: fit")
                .arg(QString::fromStdString(s.name))
                .arg(s.rows)
                .arg(s.cols);
    plot()->legend->setVisible(true);
    powerLawGraph_->removeFromLegend();
    if (!powerLawGraph_->data()->isEmpty())
        powerLawGraph_->addToLegend();
    rescale();
    showHover({});
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void EsdPlot::rescale()
{
    if (histogram_.total == 0) {
        plot()->xAxis->setRange(1e-3, 1);
        plot()->yAxis->setRange(1e-3, 1);
        return;
    }
    plot()->xAxis->setRange(histogram_.edges.front() / 2, histogram_.edges.back() * 2);
    double low = std::numeric_limits<double>::infinity(), high = 0;
    for (const QCPGraph *graph : {histogramGraph_, powerLawGraph_})
        for (const QCPGraphData &point : *graph->data())
            if (point.value > 0) {
                low = std::min(low, point.value);
                high = std::max(high, point.value);
            }
    plot()->yAxis->setRange(low / 3, high * 10); // room above for the legend
}

void EsdPlot::showHover(const QString &text)
{
    hover_ = text;
    infoLabel_->setText(hover_.isEmpty() ? idle_ : hover_);
}

void EsdPlot::onMouseMove(QMouseEvent *event)
{
    const auto &edges = histogram_.edges;
    const double lambda = plot()->xAxis->pixelToCoord(event->position().x());
    if (edges.empty() || !(lambda >= edges.front()) || !(lambda <= edges.back())) {
        showHover({});
        return;
    }
    const size_t bin = std::min(size_t(std::upper_bound(edges.begin(), edges.end(), lambda) - edges.begin()) - 1,
                                histogram_.counts.size() - 1);
    const long count = histogram_.counts[bin];
    showHover(tr("λ in [%1, %2): %n eigenvalue(s), %3 % of all · density %4", nullptr, int(count))
                  .arg(number(edges[bin]), number(edges[bin + 1]))
                  .arg(100.0 * double(count) / double(histogram_.total), 0, 'f', 1)
                  .arg(number(histogram_.density[bin])));
}

void EsdPlot::colourContent(const QPalette &pal)
{
    const QColor text = pal.color(QPalette::Text);
    QColor bars = seriesColour(0), fill = bars;
    fill.setAlphaF(0.35f);
    histogramGraph_->setPen(QPen(bars, 1.5));
    histogramGraph_->setBrush(fill);
    powerLawGraph_->setPen(QPen(seriesColour(2), 2.5));
    xminLine_->setPen(QPen(text, 1, Qt::DashLine));
    xminTag_->setColor(text);
    QColor behind = pal.color(QPalette::Base);
    behind.setAlphaF(0.8f); // readable over the bars
    xminTag_->setBrush(behind);
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
