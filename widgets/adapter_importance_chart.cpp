#include "adapter_importance_chart.h"
#include "plot_style.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>
#include <stdexcept>

namespace sculpt {

// Every bar and every layer's band in one pass, each bar filled by whether it is pruned:
// QCPBars takes one brush for all its bars, so this would otherwise be a QCPBars per bar.
class AdapterBars : public QCPLayerable {
public:
    AdapterBars(QCPAxis *x, QCPAxis *y) : QCPLayerable(x->parentPlot()), x_(x), y_(y) {}

    std::vector<double> scores;
    std::vector<bool> pruned;
    std::vector<bool> shaded; // every other layer's columns, so a layer's positions read as a group
    QColor kept, prunedFill, hatch, band;

protected:
    QRect clipRect() const override { return x_->axisRect()->rect(); }
    void applyDefaultAntialiasingHint(QCPPainter *painter) const override
    {
        applyAntialiasingHint(painter, mAntialiased, QCP::aePlottables);
    }

    void draw(QCPPainter *painter) override
    {
        const QRect plotRect = clipRect();
        // A log axis has no zero: there the bars rise from the bottom of the plot.
        const double base = y_->scaleType() == QCPAxis::stLogarithmic ? y_->range().lower : 0;
        for (size_t i = 0; i < scores.size(); ++i) {
            const double at = double(i);
            if (shaded[i])
                painter->fillRect(QRectF(QPointF(x_->coordToPixel(at - 0.5), plotRect.top()),
                                         QPointF(x_->coordToPixel(at + 0.5), plotRect.bottom())),
                                  band);
            QRectF bar = QRectF(QPointF(x_->coordToPixel(at - 0.4), y_->coordToPixel(scores[i])),
                                QPointF(x_->coordToPixel(at + 0.4), y_->coordToPixel(base)))
                             .normalized();
            bar.setWidth(std::max(bar.width(), 1.0)); // hundreds of positions still show every bar
            if (pruned[i]) {
                painter->fillRect(bar, prunedFill);
                painter->fillRect(bar, QBrush(hatch, Qt::BDiagPattern));
            } else {
                painter->fillRect(bar, kept);
            }
        }
    }

private:
    QCPAxis *x_, *y_;
};

namespace {

// A fused projection holds several roles, so its site alone does not say which adapter;
// an MLP's adapter is the only one beside its site.
QString nameOf(const AdapterPosition &p)
{
    const QString site = QString::fromStdString(p.site);
    return p.role == "mlp" ? site : site + ' ' + QString::fromStdString(p.role);
}

QString percent(double p) { return QString::number(100 * p, 'g', 3); }

constexpr size_t maxTickLabels = 16; // beyond, labels of a ~700 px plot run into each other

} // namespace

AdapterImportanceChart::AdapterImportanceChart(QWidget *parent)
    : PlotWidget(parent), slider_(new QSlider(Qt::Horizontal)), prunedLabel_(new QLabel)
{
    slider_->setRange(0, 100);
    slider_->setToolTip(tr("p, the share of adapters to prune: the lowest-scored go first"));
    connect(slider_, &QSlider::valueChanged, this, [this](int value) { setFraction(value / 100.0); });

    QCustomPlot *p = plot();
    p->setMouseTracking(true);
    p->plotLayout()->insertRow(0);
    QFont bold = font();
    bold.setBold(true);
    title_ = new QCPTextElement(p, QString(), bold);
    p->plotLayout()->addElement(0, 0, title_);
    bars_ = new AdapterBars(p->xAxis, p->yAxis);
    p->xAxis->setLabel(tr("adapter position (layer, role)"));
    p->xAxis->setSubTicks(false);
    p->xAxis->grid()->setVisible(false); // the layers' bands part the columns
    p->yAxis->setLabel(tr("importance (larger = more important)"));

    threshold_ = new QCPItemStraightLine(p);
    threshold_->setPen(QPen(seriesColour(2), 2));
    threshold_->setSelectable(false);
    rule_ = new QCPItemText(p);
    rule_->position->setType(QCPItemPosition::ptAxisRectRatio);
    rule_->position->setAxisRect(p->axisRect());
    rule_->position->setCoords(0.01, 0.02);
    rule_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    rule_->setPadding(QMargins(4, 2, 4, 2));
    hint_ = new QCPItemText(p);
    hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint_->position->setAxisRect(p->axisRect());
    hint_->position->setCoords(0.5, 0.5);
    hint_->setPositionAlignment(Qt::AlignCenter);
    hint_->setText(tr("Score the adapters (Pear) to see how much each one matters."));

    connect(p, &QCustomPlot::mouseMove, this, &AdapterImportanceChart::onMouseMove);
    connect(p, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        dragging_ = event->button() == Qt::LeftButton && onThreshold(event->position());
    });
    connect(p, &QCustomPlot::mouseRelease, this, [this] { dragging_ = false; });

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(new QLabel(tr("Prune")));
    bottom->addWidget(slider_, 1);
    bottom->addWidget(prunedLabel_);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(p, 1);
    layout->addLayout(bottom);

    applyPalette();
    rebuildBars();
    updatePruning();
}

void AdapterImportanceChart::setScores(std::vector<AdapterScore> scores, std::optional<AdapterSharing> sharing)
{
    for (const AdapterScore &s : scores)
        if (!std::isfinite(s.score)) // NaN would be refused by adapterRanks too; infinity has no bar height
            throw std::invalid_argument("the score of adapter " + s.position.site + " is not finite");
    std::vector<int64_t> ranks = adapterRanks(scores);
    if (sharing) {
        checkAdapterSharing(*sharing, scores.size());
        // Its links are drawn over weakestAdapters' pruning: a run that pruned other positions
        // (or whose fraction lies outside [0, 1], which this throws for) is of other scores.
        if (weakestAdapters(scores, sharing->fraction) != sharing->pruned)
            throw std::invalid_argument("the sharing pruned other adapters than the weakest of these scores");
    }
    scores_ = std::move(scores);
    sharing_ = std::move(sharing);
    ranks_ = std::move(ranks);
    ascending_.clear();
    for (const AdapterScore &s : scores_)
        ascending_.push_back(s.score);
    std::sort(ascending_.begin(), ascending_.end());
    rebuildBars();
    if (sharing_)
        setFraction(sharing_->fraction);
    else
        updatePruning();
}

void AdapterImportanceChart::setFraction(double p)
{
    if (std::isnan(p))
        return;
    p = std::clamp(p, 0.0, 1.0);
    {
        const QSignalBlocker block(slider_);
        slider_->setValue(int(std::lround(100 * p)));
    }
    const bool changed = p != fraction_;
    fraction_ = p;
    updatePruning();
    if (changed)
        Q_EMIT fractionChanged(p);
}

std::vector<size_t> AdapterImportanceChart::prunedPositions() const
{
    std::vector<size_t> positions;
    for (size_t i = 0; i < pruned_.size(); ++i)
        if (pruned_[i])
            positions.push_back(i);
    return positions;
}

std::optional<size_t> AdapterImportanceChart::positionAt(QPointF pixel) const
{
    // The whole column, not only the bar: the weakest bars, the ones worth pointing at, are
    // the thinnest targets.
    if (!plot()->axisRect()->rect().contains(pixel.toPoint()))
        return std::nullopt;
    const double x = std::round(plot()->xAxis->pixelToCoord(pixel.x()));
    if (x < 0 || x >= double(scores_.size()))
        return std::nullopt;
    return size_t(x);
}

void AdapterImportanceChart::rebuildBars()
{
    const bool empty = scores_.empty();
    hint_->setVisible(empty);
    title_->setText(empty ? tr("Adapter importance")
                          : tr("Adapter importance · %1 positions").arg(scores_.size()));
    const double low = empty ? 0 : ascending_.front(), high = empty ? 1 : ascending_.back();
    // Log, automatically, once the scores span two decades: the threshold lives among the
    // weakest bars, which a linear axis would flatten to nothing.
    // A zero score has no place on a log axis, so it keeps the axis linear.
    const bool log = low > 0 && high >= 100 * low;
    setLogScale(*plot()->yAxis, log);
    plot()->yAxis->setRange(log ? QCPRange(low / 2, high * 2) : QCPRange(std::min(0.0, low), high > 0 ? 1.1 * high : 1));
    plot()->xAxis->setRange(-0.5, double(std::max<size_t>(scores_.size(), 1)) - 0.5);

    QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
    const size_t step = std::max<size_t>(1, (scores_.size() + maxTickLabels - 1) / maxTickLabels);
    for (size_t i = 0; i < scores_.size(); i += step)
        ticks->addTick(double(i), QStringLiteral("%1 %2").arg(scores_[i].position.layer)
                                      .arg(QString::fromStdString(scores_[i].position.role)));
    plot()->xAxis->setTicker(ticks);

    bars_->scores.clear();
    bars_->shaded.clear();
    bool shade = false;
    for (size_t i = 0; i < scores_.size(); ++i) {
        if (i > 0 && scores_[i].position.layer != scores_[i - 1].position.layer)
            shade = !shade;
        bars_->scores.push_back(scores_[i].score);
        bars_->shaded.push_back(shade);
    }
    hover_.clear();
}

void AdapterImportanceChart::updatePruning()
{
    pruned_ = weakestAdapters(scores_, fraction_);
    bars_->pruned = pruned_;
    const auto count = size_t(std::count(pruned_.begin(), pruned_.end(), true));
    const double y = thresholdAt(count);
    threshold_->point1->setCoords(0, y);
    threshold_->point2->setCoords(1, y);
    threshold_->setVisible(!scores_.empty());
    prunedLabel_->setText(tr("%1 of %2 adapters pruned (%3 %)").arg(count).arg(scores_.size()).arg(percent(fraction_)));

    for (QCPItemLine *link : links_)
        plot()->removeItem(link);
    links_.clear();
    // The links are what the run did to the positions it pruned: another p prunes others,
    // whose servers the run never chose.
    linksShown_ = sharing_ && sharing_->pruned == pruned_;
    rule_->setVisible(sharing_.has_value());
    if (sharing_) {
        QString how = sharing_->rule == "none" ? tr("plain pruning")
                                               : tr("shared by %1").arg(QString::fromStdString(sharing_->rule));
        if (sharing_->knowledgeCheckpoint)
            how += tr(", knowledge checkpoint");
        rule_->setText(tr("Pear's run at %1 %: %2%3")
                           .arg(percent(sharing_->fraction), how,
                                linksShown_ ? QString() : tr(" (its links show at its p)")));
    }
    for (size_t i = 0; linksShown_ && i < scores_.size(); ++i) {
        const int64_t server = sharing_->servedBy[i];
        if (server < 0)
            continue;
        auto *link = new QCPItemLine(plot());
        link->setPen(QPen(seriesColour(1), 1.5));
        link->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, 8, 10));
        link->setSelectable(false);
        link->start->setCoords(double(server), scores_[size_t(server)].score);
        link->end->setCoords(double(i), scores_[i].score);
        links_.push_back(link);
    }
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

// Midway, as the axis measures it, between the strongest pruned and the weakest kept score:
// the line sits in the middle of the visible gap between the two.
double AdapterImportanceChart::thresholdAt(size_t pruned) const
{
    const QCPRange range = plot()->yAxis->range();
    const double below = pruned == 0 ? range.lower : ascending_[pruned - 1];
    const double above = pruned == ascending_.size() ? range.upper : ascending_[pruned];
    return plot()->yAxis->scaleType() == QCPAxis::stLogarithmic ? std::sqrt(below * above) : (below + above) / 2;
}

bool AdapterImportanceChart::onThreshold(QPointF pixel) const
{
    const double y = plot()->yAxis->coordToPixel(threshold_->point1->coords().y());
    return threshold_->visible() && plot()->axisRect()->rect().contains(pixel.toPoint()) &&
           std::abs(pixel.y() - y) <= 6;
}

QString AdapterImportanceChart::describe(size_t i) const
{
    const AdapterPosition &p = scores_[i].position;
    QString text = tr("%1 · %2: score %3, rank %4 of %5, %6 parameters")
                       .arg(nameOf(p), QString::fromStdString(p.kind), QString::number(scores_[i].score, 'g', 4))
                       .arg(ranks_[i])
                       .arg(scores_.size())
                       .arg(p.parameters);
    if (!pruned_[i])
        return text;
    const int64_t server = linksShown_ ? sharing_->servedBy[i] : -1;
    if (server >= 0)
        return text + tr(" · pruned, served by %1").arg(nameOf(scores_[size_t(server)].position));
    return text + (linksShown_ && sharing_->rule != "none" ? tr(" · pruned, unserved") : tr(" · pruned"));
}

void AdapterImportanceChart::onMouseMove(QMouseEvent *event)
{
    if (dragging_) {
        // The bars below the line go: k of them, and p = k/N prunes exactly those.
        const double y = plot()->yAxis->pixelToCoord(event->position().y());
        const auto below = std::lower_bound(ascending_.begin(), ascending_.end(), y) - ascending_.begin();
        setFraction(double(below) / double(ascending_.size()));
        return;
    }
    if (onThreshold(event->position()))
        plot()->setCursor(Qt::SizeVerCursor);
    else
        plot()->unsetCursor();
    const std::optional<size_t> position = positionAt(event->position());
    hover_ = position ? describe(*position) : QString();
    if (hover_.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), hover_, plot());
}

void AdapterImportanceChart::colourContent(const QPalette &pal)
{
    const QColor text = pal.color(QPalette::Text);
    const auto faded = [&text](float alpha) {
        QColor c = text;
        c.setAlphaF(alpha);
        return c;
    };
    title_->setTextColor(text);
    bars_->kept = seriesColour(0);
    bars_->prunedFill = faded(0.18f);
    bars_->hatch = faded(0.55f);
    bars_->band = faded(0.05f);
    rule_->setColor(text);
    QColor behind = pal.color(QPalette::Base);
    behind.setAlphaF(0.85f); // readable over the bars it may cover
    rule_->setBrush(behind);
    hint_->setColor(pal.color(QPalette::PlaceholderText));
}

} // namespace sculpt
