#include "head_score_map.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include "plot_style.h"

#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace sculpt {

// An × over each head that goes, drawn in one pass: a model of thousands of heads would
// need thousands of QCPItemLines, each added and removed one by one as the slider moves.
class MaskCrosses : public QCPLayerable {
public:
    MaskCrosses(QCPAxis *x, QCPAxis *y) : QCPLayerable(x->parentPlot()), x_(x), y_(y) {}

    std::vector<LayerHead> heads;
    QColor line, halo; // the halo keeps the × readable on every colour of the gradient

protected:
    QRect clipRect() const override { return x_->axisRect()->rect(); }
    void applyDefaultAntialiasingHint(QCPPainter *painter) const override
    {
        applyAntialiasingHint(painter, mAntialiased, QCP::aeItems);
    }

    void draw(QCPPainter *painter) override
    {
        const double cell = std::min(std::abs(x_->coordToPixel(1) - x_->coordToPixel(0)),
                                     std::abs(y_->coordToPixel(1) - y_->coordToPixel(0)));
        const double width = std::clamp(cell / 10, 1.0, 2.5), arm = 0.3; // arm: of a cell, so crosses stay apart
        const auto at = [&](double head, double layer) {
            return QPointF(x_->coordToPixel(head), y_->coordToPixel(layer));
        };
        // Every halo before any line, so no halo covers a neighbour's line.
        for (const QPen &pen : {QPen(halo, width + 2), QPen(line, width)}) {
            painter->setPen(pen);
            for (const auto &[layer, head] : heads) {
                const double h = double(head), l = double(layer);
                painter->drawLine(at(h - arm, l - arm), at(h + arm, l + arm));
                painter->drawLine(at(h - arm, l + arm), at(h + arm, l - arm));
            }
        }
    }

private:
    QCPAxis *x_, *y_;
};

namespace {

QSharedPointer<QCPAxisTicker> integerTicks()
{
    QSharedPointer<QCPAxisTickerFixed> ticks(new QCPAxisTickerFixed);
    ticks->setTickStep(1);
    ticks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // every head up to ~16, every 2nd, 4th … beyond
    ticks->setTickCount(16);
    return ticks;
}

} // namespace

HeadScoreMap::HeadScoreMap(QWidget *parent)
    : PlotWidget(parent), strategyBox_(new QComboBox), perLayerBox_(new QCheckBox(tr("rank within each layer"))),
      slider_(new QSlider(Qt::Horizontal)), maskLabel_(new QLabel)
{
    strategyBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    strategyBox_->setToolTip(tr("How head importance is scored; choosing one asks for its scores"));
    connect(strategyBox_, &QComboBox::activated, this,
            [this](int index) { Q_EMIT strategyChosen(strategyBox_->itemText(index)); });
    perLayerBox_->setToolTip(tr("Mask the same share of heads in every layer, instead of the lowest-scored "
                                "heads wherever they are"));
    connect(perLayerBox_, &QCheckBox::toggled, this, &HeadScoreMap::setPerLayer);
    strategyBox_->setEnabled(false); // until setStrategies offers some
    slider_->setRange(0, 100);
    slider_->setToolTip(tr("The share of heads to mask: the lowest-scored go first"));
    connect(slider_, &QSlider::valueChanged, this, [this](int percent) {
        fraction_ = percent / 100.0;
        updateMask();
    });

    QCustomPlot *p = plot();
    p->setMouseTracking(true);
    p->plotLayout()->insertRow(0);
    QFont bold = font();
    bold.setBold(true);
    title_ = new QCPTextElement(p, QString(), bold);
    p->plotLayout()->addElement(0, 0, title_);
    scale_ = new QCPColorScale(p);
    scale_->setLabel(tr("score (larger = more important)"));
    p->plotLayout()->addElement(1, 1, scale_);
    auto *sameHeight = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, sameHeight);
    scale_->setMarginGroup(QCP::msTop | QCP::msBottom, sameHeight);
    map_ = new QCPColorMap(p->xAxis, p->yAxis);
    map_->setColorScale(scale_);
    map_->setGradient(viridis());
    map_->setInterpolate(false); // one flat cell per head
    crosses_ = new MaskCrosses(p->xAxis, p->yAxis);
    p->xAxis->setLabel(tr("head"));
    p->yAxis->setLabel(tr("layer"));
    p->yAxis->setRangeReversed(true); // layer 0 at the top, as the model tree lists the blocks
    for (QCPAxis *axis : {p->xAxis, p->yAxis}) {
        axis->setTicker(integerTicks());
        axis->setSubTicks(false);
        axis->grid()->setVisible(false); // cell edges show where heads part
    }
    hint_ = new QCPItemText(p);
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(p->axisRect());
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);
    hint_->setText(tr("Score the attention heads to see how important each one is."));
    connect(p, &QCustomPlot::mouseMove, this, &HeadScoreMap::onMouseMove);
    connect(p, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        pressed_ = event->button() == Qt::LeftButton ? headAt(event->position()) : std::nullopt;
    });
    connect(p, &QCustomPlot::mouseRelease, this, [this](QMouseEvent *event) {
        if (pressed_ && event->button() == Qt::LeftButton && headAt(event->position()) == pressed_)
            Q_EMIT headClicked(pressed_->first, pressed_->second);
        pressed_.reset();
    });

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Strategy")));
    top->addWidget(strategyBox_);
    top->addStretch();
    top->addWidget(perLayerBox_);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(new QLabel(tr("Mask")));
    bottom->addWidget(slider_, 1);
    bottom->addWidget(maskLabel_);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(p, 1);
    layout->addLayout(bottom);

    applyPalette();
    rebuildMap();
    updateMask();
}

void HeadScoreMap::setScores(const HeadScores &scores)
{
    checkHeadScores(scores);
    scores_ = scores;
    {
        const QSignalBlocker block(strategyBox_); // blank when the strategy is not among those offered
        strategyBox_->setCurrentIndex(strategyBox_->findText(QString::fromStdString(scores_.strategy)));
    }
    rebuildMap();
    updateMask();
}

void HeadScoreMap::setMaskFraction(double p)
{
    if (std::isnan(p))
        return;
    fraction_ = std::clamp(p, 0.0, 1.0);
    {
        const QSignalBlocker block(slider_);
        slider_->setValue(int(std::lround(100 * fraction_)));
    }
    updateMask();
}

void HeadScoreMap::setPerLayer(bool perLayer)
{
    perLayer_ = perLayer;
    {
        const QSignalBlocker block(perLayerBox_);
        perLayerBox_->setChecked(perLayer);
    }
    updateMask();
}

void HeadScoreMap::setStrategies(const QStringList &strategies)
{
    const QSignalBlocker block(strategyBox_);
    strategyBox_->clear();
    strategyBox_->addItems(strategies);
    strategyBox_->setEnabled(!strategies.isEmpty());
    strategyBox_->setCurrentIndex(strategyBox_->findText(QString::fromStdString(scores_.strategy)));
}

std::optional<LayerHead> HeadScoreMap::headAt(QPointF pixel) const
{
    if (!plot()->axisRect()->rect().contains(pixel.toPoint()))
        return std::nullopt;
    const auto head = int64_t(std::lround(plot()->xAxis->pixelToCoord(pixel.x())));
    const auto layer = int64_t(std::lround(plot()->yAxis->pixelToCoord(pixel.y())));
    if (head < 0 || head >= scores_.heads || layer < 0 || layer >= scores_.layers)
        return std::nullopt;
    return LayerHead(layer, head);
}

void HeadScoreMap::rebuildMap()
{
    const int64_t layers = scores_.layers, heads = scores_.heads;
    const bool empty = scores_.values.empty();
    hint_->setVisible(empty);
    title_->setText(empty ? tr("Head importance")
                          : tr("Head importance by %1 · %2 layers × %3 heads")
                                .arg(QString::fromStdString(scores_.strategy))
                                .arg(layers)
                                .arg(heads));
    QCPColorMapData *cells = map_->data();
    cells->setSize(empty ? 0 : heatmapCells(heads), empty ? 0 : heatmapCells(layers));
    if (!empty) {
        cells->setRange(heatmapCentres(heads), heatmapCentres(layers));
        for (int x = 0; x < cells->keySize(); ++x)
            for (int y = 0; y < cells->valueSize(); ++y)
                cells->setCell(x, y, scores_.at(layers == 1 ? 0 : y, heads == 1 ? 0 : x));
        const auto [low, high] = std::minmax_element(scores_.values.begin(), scores_.values.end());
        // Equal scores still need a range to take a colour from.
        map_->setDataRange(*low < *high ? QCPRange(*low, *high) : QCPRange(*low - 0.5, *low + 0.5));
    }
    scale_->setVisible(!empty);
    plot()->xAxis->setTickLabels(!empty);
    plot()->yAxis->setTickLabels(!empty);
    plot()->xAxis->setRange(-0.5, std::max<double>(double(heads), 1) - 0.5);
    plot()->yAxis->setRange(-0.5, std::max<double>(double(layers), 1) - 0.5);
    hover_.clear();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void HeadScoreMap::updateMask()
{
    ranks_ = headRanks(scores_, perLayer_);
    std::vector<LayerHead> masked = headsToMask(scores_, fraction_, perLayer_);
    const auto count = qsizetype(masked.size());
    const int64_t total = scores_.layers * scores_.heads;
    const QString percent = QString::number(100 * fraction_, 'g', 3);
    maskLabel_->setText(perLayer_ && scores_.layers > 0
                            ? tr("%1 of %2 heads masked, %3 per layer (%4 %)")
                                  .arg(count)
                                  .arg(total)
                                  .arg(count / scores_.layers)
                                  .arg(percent)
                            : tr("%1 of %2 heads masked (%3 %)").arg(count).arg(total).arg(percent));
    crosses_->heads = masked;
    plot()->replot(QCustomPlot::rpQueuedReplot);
    if (masked != masked_) {
        masked_ = std::move(masked);
        Q_EMIT maskChanged();
    }
}

void HeadScoreMap::showHover(const QString &text, QPoint globalPosition)
{
    hover_ = text;
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(globalPosition, text, plot());
}

void HeadScoreMap::onMouseMove(QMouseEvent *event)
{
    const std::optional<LayerHead> cell = headAt(event->position());
    if (!cell) {
        showHover({}, {});
        return;
    }
    const auto [layer, head] = *cell;
    const int64_t ranked = perLayer_ ? scores_.heads : scores_.layers * scores_.heads;
    QString text = tr("layer %1, head %2: score %3 (rank %4 of %5%6)")
                       .arg(layer)
                       .arg(head)
                       .arg(QString::number(scores_.at(layer, head), 'g', 4))
                       .arg(ranks_[size_t(layer * scores_.heads + head)])
                       .arg(ranked)
                       .arg(perLayer_ ? tr(" in its layer") : QString());
    if (std::binary_search(masked_.begin(), masked_.end(), *cell))
        text += tr(" · masked");
    showHover(text, event->globalPosition().toPoint());
}

void HeadScoreMap::colourContent(const QPalette &pal)
{
    const QColor text = pal.color(QPalette::Text);
    title_->setTextColor(text);
    QCPAxis *axis = scale_->axis();
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setLabelColor(text);
    axis->setTickLabelColor(text);
    crosses_->line = text;
    crosses_->halo = pal.color(QPalette::Base);
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
