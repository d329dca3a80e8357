#include "spectrum_plot.h"

#include "analysis/metrics.h"
#include "plot_style.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sculpt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLegendLimit = 12;    // more entries would cover the curves; hovering names them
constexpr double kGrabPixels = 6;   // how near the cursor line a press picks it up
constexpr double kHoverPixels = 12; // how near a point the mouse must be to read it

QString percent(double fraction)
{
    // A no-break space, so the readout never wraps between a number and its unit.
    return std::isnan(fraction) ? QObject::tr("unknown") : QStringLiteral("%1\u00a0%").arg(100 * fraction, 0, 'f', 1);
}

QString seriesName(const TensorSpectrum &s)
{
    const QString name = QString::fromStdString(s.name);
    return s.method == "exact" ? name : QObject::tr("%1 (%2 preview)").arg(name, QString::fromStdString(s.method));
}

double frobeniusSquared(const TensorSpectrum &s) { return s.metrics.frobeniusNorm * s.metrics.frobeniusNorm; }

// "σ of W·S": what the overlay's values are, never passed off as W's own.
QString sigmaOf(const PassOverlay &o)
{
    return o.matrix.isEmpty() ? QObject::tr("σ of the matrix %1 truncated").arg(o.pass)
                              : QObject::tr("σ of %1").arg(o.matrix);
}

} // namespace

bool PassOverlay::kept(size_t i) const
{
    if (!layer.gains.empty())
        return i < layer.gains.size() && layer.gains[i] > 0;
    return layer.dense || int64_t(i) < layer.rank;
}

SpectrumPlot::SpectrumPlot(QWidget *parent)
    : PlotWidget(parent), viewChoice_(new QComboBox), cursorChoice_(new QComboBox),
      cursorChoiceLabel_(new QLabel(tr("Cursor on"))), rankBox_(new QSpinBox), ratioBox_(new QDoubleSpinBox),
      cutLabel_(new QLabel), infoLabel_(new QLabel)
{
    viewChoice_->addItem(tr("σ, log y"), int(View::LogY));
    viewChoice_->addItem(tr("σ, log–log"), int(View::LogLog));
    viewChoice_->addItem(tr("σ / σ_max"), int(View::Normalised));
    viewChoice_->addItem(tr("Cumulative energy"), int(View::Energy));
    viewChoice_->setToolTip(tr("log y: the whole spectrum, small values too\n"
                               "log–log: power-law decay shows as a straight line\n"
                               "σ / σ_max: matrices of different scale side by side\n"
                               "Cumulative energy: what a rank-i truncation keeps, Σ_{j≤i} σ_j² / ‖W‖²_F"));
    connect(viewChoice_, &QComboBox::currentIndexChanged, this,
            [this] { setView(View(viewChoice_->currentData().toInt())); });
    cursorChoice_->setToolTip(tr("The matrix the rank cursor measures"));
    cursorChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(cursorChoice_, &QComboBox::currentIndexChanged, this, &SpectrumPlot::setCursorSpectrum);
    infoLabel_->setTextFormat(Qt::PlainText);
    infoLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // long names must not widen the window
    infoLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    rankBox_->setKeyboardTracking(false); // act on the number typed, not on each digit
    rankBox_->setToolTip(tr("Rank k kept by a truncated SVD W ≈ A·B (A is m×k, B is k×n)"));
    connect(rankBox_, &QSpinBox::valueChanged, this, [this](int k) { setRank(k); });
    ratioBox_->setKeyboardTracking(false);
    ratioBox_->setRange(-100, 100);
    ratioBox_->setDecimals(1);
    ratioBox_->setSingleStep(5);
    ratioBox_->setSuffix(QStringLiteral(" %"));
    ratioBox_->setToolTip(tr("Target compression 1 − k(m+n)/(m·n): the cursor moves to the largest rank that "
                             "saves at least this much. Negative: more numbers than W itself."));
    connect(ratioBox_, &QDoubleSpinBox::valueChanged, this, [this](double p) { setTargetRatio(p / 100); });
    cutLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    cutLabel_->setWordWrap(true);

    plot()->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot()->setNoAntialiasingOnDrag(true);
    plot()->setMouseTracking(true); // hover readout without a button held
    plot()->installEventFilter(this);
    QFont small = font();
    if (small.pointSizeF() > 2)
        small.setPointSizeF(small.pointSizeF() - 1);
    plot()->legend->setFont(small);
    connect(plot(), &QCustomPlot::mouseMove, this, &SpectrumPlot::onMouseMove);
    connect(plot(), &QCustomPlot::mousePress, this, &SpectrumPlot::onMousePress);
    connect(plot(), &QCustomPlot::mouseRelease, this, &SpectrumPlot::onMouseRelease);
    connect(plot(), &QCustomPlot::mouseDoubleClick, this, [this] {
        rescale();
        plot()->replot();
    });

    QCPAxisRect *rect = plot()->axisRect();
    cursorLine_ = new QCPItemStraightLine(plot());
    breakevenLine_ = new QCPItemStraightLine(plot());
    for (QCPItemStraightLine *line : {cursorLine_, breakevenLine_}) {
        spanVertically(line->point1, rect);
        spanVertically(line->point2, rect);
    }
    cursorTag_ = new QCPItemText(plot());
    spanVertically(cursorTag_->position, rect);
    cursorTag_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    cursorTag_->setPadding(QMargins(4, 2, 4, 2));
    breakevenTag_ = new QCPItemText(plot());
    spanVertically(breakevenTag_->position, rect);
    // Written upwards along the left of its line, ending at the top, clear of the cursor's tag.
    breakevenTag_->setRotation(-90);
    breakevenTag_->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    breakevenTag_->setPadding(QMargins(4, 2, 4, 2));
    tracer_ = new QCPItemTracer(plot());
    tracer_->setStyle(QCPItemTracer::tsCircle);
    tracer_->setSize(9);
    tracer_->setInterpolating(false);
    tracer_->setVisible(false);
    hint_ = new QCPItemText(plot());
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(rect);
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);
    passRankLine_ = new QCPItemStraightLine(plot());
    passRankTag_ = new QCPItemText(plot());
    for (QCPItemPosition *p : {passRankLine_->point1, passRankLine_->point2, passRankTag_->position})
        spanVertically(p, rect);
    passRankTag_->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    passRankTag_->setPadding(QMargins(4, 2, 4, 2));
    plot()->yAxis2->setLabel(tr("learned gain g(s)"));

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("View")));
    top->addWidget(viewChoice_);
    top->addSpacing(12);
    top->addWidget(cursorChoiceLabel_);
    top->addWidget(cursorChoice_);
    top->addStretch();
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(new QLabel(tr("Rank k")));
    bottom->addWidget(rankBox_);
    bottom->addSpacing(12);
    bottom->addWidget(new QLabel(tr("Target compression")));
    bottom->addWidget(ratioBox_);
    bottom->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(plot(), 1);
    layout->addWidget(infoLabel_);
    layout->addLayout(bottom);
    layout->addWidget(cutLabel_);

    applyPalette();
    rebuild(true);
}

void SpectrumPlot::setSpectra(std::vector<TensorSpectrum> spectra, const QStringList &missing)
{
    const auto namesOf = [](const std::vector<TensorSpectrum> &list) {
        QStringList names;
        for (const auto &s : list)
            names << QString::fromStdString(s.name);
        return names;
    };
    const QStringList before = namesOf(spectra_), after = namesOf(spectra);
    const QString cursorName = spectra_.empty() ? QString() : before[cursorIndex_];
    spectra_ = std::move(spectra);
    missing_ = missing;

    // The cursor stays on its matrix while that is shown; otherwise it starts on the first
    // at the target ratio.
    const int kept = int(after.indexOf(cursorName));
    cursorIndex_ = std::max(0, kept);
    if (kept < 0 && !spectra_.empty()) {
        const auto &s = spectra_[size_t(cursorIndex_)];
        cut_.rank = cursorRankForRatio(s.rows, s.cols, targetRatio_);
    }
    {
        const QSignalBlocker block(cursorChoice_);
        cursorChoice_->clear();
        for (const auto &s : spectra_)
            cursorChoice_->addItem(seriesName(s));
        cursorChoice_->setCurrentIndex(cursorIndex_);
    }
    cursorChoice_->setVisible(spectra_.size() > 1);
    cursorChoiceLabel_->setVisible(spectra_.size() > 1);
    rebuild(before != after);
}

void SpectrumPlot::setView(View view)
{
    view_ = view;
    {
        const QSignalBlocker block(viewChoice_);
        viewChoice_->setCurrentIndex(viewChoice_->findData(int(view)));
    }
    rebuild(true);
}

void SpectrumPlot::setCursorSpectrum(int index)
{
    if (index < 0 || size_t(index) >= spectra_.size())
        return;
    cursorIndex_ = index;
    {
        const QSignalBlocker block(cursorChoice_);
        cursorChoice_->setCurrentIndex(index);
    }
    const auto &s = spectra_[size_t(index)];
    cut_.rank = cursorRankForRatio(s.rows, s.cols, targetRatio_);
    updateCursor();
}

void SpectrumPlot::setRank(long rank)
{
    cut_.rank = rank;
    if (!spectra_.empty()) { // the cursor, once moved, sets the target for the next matrix
        const auto &s = spectra_[size_t(cursorIndex_)];
        targetRatio_ = cutAtRank(s.singularValues, s.rows, s.cols, frobeniusSquared(s), rank).compressionRatio;
    }
    updateCursor();
}

void SpectrumPlot::setTargetRatio(double ratio)
{
    targetRatio_ = ratio;
    if (!spectra_.empty()) {
        const auto &s = spectra_[size_t(cursorIndex_)];
        cut_.rank = cursorRankForRatio(s.rows, s.cols, ratio);
    }
    updateCursor();
}

QString SpectrumPlot::cutText() const { return cutLabel_->text(); }

void SpectrumPlot::setPassOverlay(std::optional<PassOverlay> overlay)
{
    const bool same = overlay_.has_value() == overlay.has_value() &&
                      (!overlay || (overlay_->pass == overlay->pass && overlay_->layer.name == overlay->layer.name));
    overlay_ = std::move(overlay);
    rebuild(!same);
}

void SpectrumPlot::showHover(const QString &text)
{
    hover_ = text;
    infoLabel_->setText(hover_.isEmpty() ? idle_ : hover_);
}

std::vector<double> SpectrumPlot::values(const TensorSpectrum &s) const
{
    const auto &sigma = s.singularValues;
    switch (view_) {
    case View::Energy:
        return energyCurve(sigma, frobeniusSquared(s));
    case View::Normalised: {
        std::vector<double> y(sigma.size(), kNaN);
        if (!sigma.empty() && sigma[0] > 0)
            for (size_t i = 0; i < sigma.size(); ++i)
                y[i] = sigma[i] / sigma[0];
        return y;
    }
    case View::LogY:
    case View::LogLog:
        break;
    }
    std::vector<double> y(sigma);
    for (double &v : y)
        if (!(v > 0)) // a log axis has no place for zero: leave a gap
            v = kNaN;
    return y;
}

void SpectrumPlot::rebuild(bool rescaleAxes)
{
    tracer_->setGraph(nullptr); // the graphs it follows are about to go
    tracer_->setVisible(false);
    plot()->clearGraphs();
    hover_.clear();

    setLogScale(*plot()->xAxis, view_ == View::LogLog);
    setLogScale(*plot()->yAxis, view_ == View::LogY || view_ == View::LogLog);
    plot()->xAxis->setLabel(tr("index i (singular values, largest first)"));
    switch (view_) {
    case View::LogY:
    case View::LogLog:
        plot()->yAxis->setLabel(tr("singular value σ_i"));
        break;
    case View::Normalised:
        plot()->yAxis->setLabel(tr("σ_i / σ_max"));
        break;
    case View::Energy:
        plot()->yAxis->setLabel(tr("energy kept by rank i:  Σ_{j≤i} σ_j² / ‖W‖²_F"));
        break;
    }

    for (size_t s = 0; s < spectra_.size(); ++s) {
        const std::vector<double> y = values(spectra_[s]);
        QVector<double> keys(qsizetype(y.size())), vals(y.begin(), y.end());
        for (qsizetype i = 0; i < keys.size(); ++i)
            keys[i] = double(i + 1);
        QCPGraph *graph = plot()->addGraph();
        graph->setName(seriesName(spectra_[s]));
        graph->setData(keys, vals, true);
        if (y.size() <= 64) // few values: show each one, not just the line through them
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    }
    addOverlay();
    plot()->legend->setVisible((!spectra_.empty() || kept_) && spectra_.size() <= kLegendLimit);
    // The legend goes where the curves are not, below the tags at the top: decaying spectra
    // leave the lower left empty on log axes, the right on a linear one; energy curves leave
    // the lower right.
    const Qt::Alignment corner = view_ == View::Energy       ? Qt::AlignRight | Qt::AlignBottom
                                 : view_ == View::Normalised ? Qt::AlignRight | Qt::AlignVCenter
                                                             : Qt::AlignLeft | Qt::AlignBottom;
    plot()->axisRect()->insetLayout()->setInsetAlignment(0, corner);
    // Fractional ticks of an empty plot would only puzzle.
    plot()->xAxis->setTickLabels(!spectra_.empty() || kept_);
    plot()->yAxis->setTickLabels(!spectra_.empty() || kept_);
    if (rescaleAxes)
        rescale();
    updateHint();
    updateCursor();
    plot()->replot();
}

// The pass's σ of W·S, kept and pruned, in the spectra's colours' successor, and its gains
// on the right axis; the kept rank of a uniform pass as a line. Not in the energy view,
// whose curves are W's alone.
void SpectrumPlot::addOverlay()
{
    overlayLine_ = kept_ = pruned_ = gains_ = nullptr;
    passRankLine_->setVisible(false);
    passRankTag_->setVisible(false);
    plot()->yAxis2->setVisible(false);
    if (!overlay_ || view_ == View::Energy)
        return;
    const PassOverlay &o = *overlay_;
    const std::vector<float> &sigma = o.layer.singularValues;
    const double top = sigma.empty() ? 0 : sigma[0];
    QVector<double> keys, values;
    QVector<double> keptKeys, keptValues, prunedKeys, prunedValues;
    for (size_t i = 0; i < sigma.size(); ++i) {
        double y = view_ == View::Normalised ? (top > 0 ? sigma[i] / top : kNaN) : double(sigma[i]);
        if (view_ != View::Normalised && !(y > 0))
            y = kNaN;
        keys << double(i + 1);
        values << y;
        (o.kept(i) ? keptKeys : prunedKeys) << double(i + 1);
        (o.kept(i) ? keptValues : prunedValues) << y;
    }
    const QColor colour = seriesColour(spectra_.size());
    overlayLine_ = plot()->addGraph();
    overlayLine_->setData(keys, values, true);
    overlayLine_->setPen(QPen(colour, 1, Qt::DashLine));
    overlayLine_->removeFromLegend();
    kept_ = plot()->addGraph();
    kept_->setName(tr("%1, kept — %2").arg(sigmaOf(o), o.pass));
    kept_->setData(keptKeys, keptValues, true);
    pruned_ = plot()->addGraph();
    pruned_->setName(tr("%1, pruned").arg(sigmaOf(o)));
    pruned_->setData(prunedKeys, prunedValues, true);
    for (QCPGraph *g : {kept_, pruned_}) {
        g->setLineStyle(QCPGraph::lsNone);
        g->setPen(QPen(colour, 1.5));
    }
    kept_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, colour, 6));
    pruned_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 1.5), Qt::NoBrush, 6));

    if (!o.layer.gains.empty()) {
        QVector<double> gains;
        double highest = 1;
        for (const float g : o.layer.gains) {
            gains << double(g);
            highest = std::max(highest, double(g));
        }
        gains_ = plot()->addGraph(plot()->xAxis, plot()->yAxis2);
        gains_->setName(tr("learned gain g(s), right axis"));
        gains_->setData(keys.mid(0, gains.size()), gains, true);
        gains_->setLineStyle(QCPGraph::lsNone);
        const QColor gainColour = seriesColour(spectra_.size() + 1);
        gains_->setPen(QPen(gainColour, 1.5));
        gains_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(gainColour, 1.5), Qt::NoBrush, 7));
        plot()->yAxis2->setVisible(true);
        plot()->yAxis2->setRange(0, highest * 1.1);
    } else if (!o.layer.dense) {
        // A uniform pass keeps a prefix in σ order: its rank says it all.
        const double k = double(o.layer.rank) + 0.5;
        passRankLine_->point1->setCoords(k, 0);
        passRankLine_->point2->setCoords(k, 1);
        passRankTag_->position->setCoords(k, 1);
        passRankTag_->setText(tr("%1 keeps k = %2").arg(o.pass).arg(o.layer.rank));
        passRankLine_->setPen(QPen(colour, 1.5, Qt::DashDotLine));
        passRankTag_->setColor(colour);
        const bool onAxis = view_ != View::LogLog || o.layer.rank > 0;
        passRankLine_->setVisible(onAxis);
        passRankTag_->setVisible(onAxis);
    }
}

QString SpectrumPlot::overlayHover(size_t i) const
{
    const PassOverlay &o = *overlay_;
    QString text = tr("%1 · %2 · i = %3 · %4 = %5")
                       .arg(o.pass, QString::fromStdString(o.layer.name))
                       .arg(i + 1)
                       .arg(o.matrix.isEmpty() ? tr("σ_i") : tr("σ_i of %1").arg(o.matrix))
                       .arg(o.layer.singularValues[i], 0, 'g', 5);
    if (i < o.layer.gains.size())
        text += tr(" · g = %1").arg(o.layer.gains[i], 0, 'g', 4);
    return text + (o.kept(i) ? tr(" · kept") : tr(" · pruned"));
}

void SpectrumPlot::rescale()
{
    double longest = 1, low = std::numeric_limits<double>::infinity(), high = 0;
    for (int g = 0; g < plot()->graphCount(); ++g) {
        if (plot()->graph(g)->valueAxis() != plot()->yAxis)
            continue; // the gains have their own axis
        const auto data = plot()->graph(g)->data();
        longest = std::max(longest, double(data->size()));
        for (const QCPGraphData &point : *data)
            if (point.value > 0) {
                low = std::min(low, point.value);
                high = std::max(high, point.value);
            }
    }
    if (view_ == View::LogLog)
        plot()->xAxis->setRange(0.8, longest * 1.25);
    else
        plot()->xAxis->setRange(0, longest * 1.02 + 1);
    if (view_ == View::Normalised || view_ == View::Energy)
        plot()->yAxis->setRange(0, 1.05);
    else if (high > 0)
        plot()->yAxis->setRange(low / 2, high * 2);
    else
        plot()->yAxis->setRange(1e-3, 1);
}

void SpectrumPlot::updateCursor()
{
    const bool has = !spectra_.empty();
    rankBox_->setEnabled(has);
    ratioBox_->setEnabled(has);
    for (int g = 0; g < int(spectra_.size()); ++g) {
        QPen pen(seriesColour(size_t(g)));
        pen.setWidthF(g == cursorIndex_ ? 2.5 : 1.5); // the cursor's matrix stands out
        plot()->graph(g)->setPen(pen);
    }
    if (!has) {
        cut_ = RankCut{};
        const QSignalBlocker block(ratioBox_);
        ratioBox_->setValue(100 * targetRatio_);
        for (QCPAbstractItem *item : std::initializer_list<QCPAbstractItem *>{cursorLine_, cursorTag_, breakevenLine_, breakevenTag_})
            item->setVisible(false);
        cutLabel_->setText(tr("The rank cursor measures a plotted matrix."));
        plot()->replot(QCustomPlot::rpQueuedReplot);
        Q_EMIT cursorChanged();
        return;
    }
    const TensorSpectrum &s = spectra_[size_t(cursorIndex_)];
    cut_ = cutAtRank(s.singularValues, s.rows, s.cols, frobeniusSquared(s), cut_.rank);
    {
        // Only when different: rewriting a spin box's text would fight the user typing in it.
        const QSignalBlocker blockRank(rankBox_), blockRatio(ratioBox_);
        rankBox_->setRange(0, int(std::min(s.rows, s.cols)));
        if (rankBox_->value() != cut_.rank)
            rankBox_->setValue(int(cut_.rank));
        if (std::abs(ratioBox_->value() - 100 * targetRatio_) > 0.05)
            ratioBox_->setValue(100 * targetRatio_);
    }

    const double k = double(cut_.rank), breakeven = cut_.breakevenRank;
    cursorLine_->point1->setCoords(k, 0);
    cursorLine_->point2->setCoords(k, 1);
    cursorTag_->position->setCoords(k, 0);
    cursorTag_->setText(tr("k = %1").arg(cut_.rank));
    breakevenLine_->point1->setCoords(breakeven, 0);
    breakevenLine_->point2->setCoords(breakeven, 1);
    breakevenTag_->position->setCoords(breakeven, 0);
    breakevenTag_->setText(tr("break-even %1").arg(breakeven, 0, 'f', 1));
    const bool onAxis = view_ != View::LogLog || cut_.rank > 0; // a log axis has no 0
    cursorLine_->setVisible(onAxis);
    cursorTag_->setVisible(onAxis);
    breakevenLine_->setVisible(true);
    breakevenTag_->setVisible(true);

    const QLocale locale;
    cutLabel_->setText(tr("k = %1 of %2 · keeps %3 of %4 parameters · compression %5 · energy kept %6 · "
                          "break\u2011even k = %7")
                           .arg(cut_.rank)
                           .arg(std::min(s.rows, s.cols))
                           .arg(locale.toString(qlonglong(cut_.parametersKept)),
                                locale.toString(qlonglong(cut_.parameters)), percent(cut_.compressionRatio),
                                percent(cut_.energyRetained))
                           .arg(breakeven, 0, 'f', 1));
    cutLabel_->setToolTip(tr("For %1 (%2 × %3): W ≈ A·B keeps k(m+n) numbers instead of m·n.\n"
                             "Energy kept: Σ_{i≤k} σ_i² / ‖W‖²_F%4")
                              .arg(QString::fromStdString(s.name))
                              .arg(s.rows)
                              .arg(s.cols)
                              .arg(std::isnan(cut_.energyRetained) ? tr(" (unknown beyond a preview's values)")
                                                                   : QString()));
    plot()->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT cursorChanged();
}

void SpectrumPlot::updateHint()
{
    // On an empty plot the hint is the plot; otherwise it is a line under it.
    hint_->setVisible(spectra_.empty() && !kept_);
    if (missing_.isEmpty())
        hint_->setText(tr("Select tensors (or blocks) in the model tree to plot their singular values."));
    else
        hint_->setText(tr("No spectrum yet for the %n selected tensor(s).\nAnalyse ▸ Compute spectra fills them in.",
                          nullptr, int(missing_.size())));
    QStringList notes;
    if (!spectra_.empty() && !missing_.isEmpty())
        notes << tr("%n more selected without a spectrum yet", nullptr, int(missing_.size()));
    if (spectra_.size() > kLegendLimit)
        notes << tr("%1 curves: legend hidden, hover a curve to name it").arg(spectra_.size());
    if (overlay_) {
        const PassOverlay &o = *overlay_;
        long kept = 0, beyond = 0; // kept components past the rank σ order would keep
        for (size_t i = 0; i < o.layer.singularValues.size(); ++i)
            if (o.kept(i)) {
                ++kept;
                beyond += long(i) >= o.layer.rank;
            }
        QString note = tr("%1 kept %2 of %3 components of %4 in %5")
                           .arg(o.pass)
                           .arg(kept)
                           .arg(o.layer.singularValues.size())
                           .arg(o.matrix.isEmpty() ? tr("its matrix") : o.matrix, QString::fromStdString(o.layer.name));
        if (!o.layer.gains.empty())
            note += tr(", %n of them outside σ order", nullptr, int(beyond));
        if (view_ == View::Energy)
            note += tr(" (shown in the σ views)");
        notes << note;
    }
    if (!spectra_.empty())
        notes << tr("hover a curve to read σ_i · wheel: zoom · drag: pan · double-click: fit · drag the solid line: "
                    "rank cursor");
    idle_ = notes.join(QStringLiteral(" · "));
    showHover(hover_);
}

bool SpectrumPlot::nearCursor(double pixelX) const
{
    return !spectra_.empty() && cursorLine_->visible() &&
           std::abs(plot()->xAxis->coordToPixel(double(cut_.rank)) - pixelX) <= kGrabPixels;
}

void SpectrumPlot::onMousePress(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !nearCursor(event->position().x()))
        return;
    // Grabbing the cursor line must not also pan the plot; QCustomPlot reads this flag
    // right after emitting mousePress.
    dragging_ = true;
    plot()->setInteraction(QCP::iRangeDrag, false);
}

void SpectrumPlot::onMouseRelease(QMouseEvent *)
{
    if (!dragging_)
        return;
    dragging_ = false;
    plot()->setInteraction(QCP::iRangeDrag, true);
}

void SpectrumPlot::onMouseMove(QMouseEvent *event)
{
    const QPointF at = event->position();
    if (dragging_) {
        setRank(std::lround(plot()->xAxis->pixelToCoord(at.x())));
        return;
    }
    plot()->setCursor(nearCursor(at.x()) ? Qt::SplitHCursor : Qt::ArrowCursor);

    // The point nearest the mouse, over the points within reach on either side.
    QCPGraph *nearest = nullptr;
    int series = 0;
    double nearestKey = 0, nearestDistance = kHoverPixels;
    const double from = plot()->xAxis->pixelToCoord(at.x() - kHoverPixels);
    const double to = plot()->xAxis->pixelToCoord(at.x() + kHoverPixels);
    for (int g = 0; g < plot()->graphCount(); ++g) {
        QCPGraph *graph = plot()->graph(g);
        if (graph == overlayLine_)
            continue; // its points are the kept and pruned ones
        const auto data = graph->data();
        for (auto it = data->findBegin(from), end = data->findEnd(to); it != end; ++it) {
            if (std::isnan(it->value))
                continue;
            const double distance = std::hypot(plot()->xAxis->coordToPixel(it->key) - at.x(),
                                               graph->valueAxis()->coordToPixel(it->value) - at.y());
            if (distance < nearestDistance) {
                nearestDistance = distance;
                nearest = graph;
                series = g;
                nearestKey = it->key;
            }
        }
    }
    if (!nearest) {
        tracer_->setVisible(false);
        showHover({});
        plot()->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const size_t i = size_t(nearestKey) - 1;
    tracer_->setGraph(nearest);
    tracer_->setGraphKey(nearestKey);
    tracer_->setPen(QPen(nearest->pen().color(), 1.5));
    tracer_->setVisible(true);
    if (series >= int(spectra_.size())) {
        showHover(overlayHover(i));
        plot()->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const TensorSpectrum &s = spectra_[size_t(series)];
    QString text = tr("%1 · i = %2 · σ_i = %3 · σ_i/σ_max = %4")
                       .arg(QString::fromStdString(s.name))
                       .arg(i + 1)
                       .arg(s.singularValues[i], 0, 'g', 5)
                       .arg(s.singularValues[i] / s.singularValues[0], 0, 'g', 4);
    if (view_ == View::Energy)
        text += tr(" · energy kept %1").arg(percent(nearest->data()->at(int(i))->value));
    showHover(text);
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

bool SpectrumPlot::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == plot() && event->type() == QEvent::Leave && tracer_->visible()) {
        tracer_->setVisible(false);
        showHover({});
        plot()->replot(QCustomPlot::rpQueuedReplot);
    }
    return QWidget::eventFilter(watched, event);
}

void SpectrumPlot::colourContent(const QPalette &pal)
{
    const QColor text = pal.color(QPalette::Text);
    // Drawn in the text colour, so no series colour is mistaken for the cursor.
    cursorLine_->setPen(QPen(text, 2));
    cursorTag_->setColor(text);
    QFont bold = font();
    bold.setBold(true);
    cursorTag_->setFont(bold);
    breakevenLine_->setPen(QPen(text, 1, Qt::DashLine));
    breakevenTag_->setColor(text);
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
