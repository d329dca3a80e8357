#include "layout_page_view.h"

#include <QFileInfo>
#include <QHelpEvent>
#include <QImageReader>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QTextDocument>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace sculpt {
namespace {

const QColor kPanelColour(0xe1, 0x57, 0x59);
const QColor kTextColour(0x4e, 0x79, 0xa7);

// In page pixels: the outline where the file gives one, else the box.
QPolygonF polygonOf(const Box &box, const std::vector<Point> &outline)
{
    QPolygonF polygon;
    if (outline.size() >= 3) {
        for (const Point &p : outline)
            polygon << QPointF(p.x, p.y);
    } else {
        polygon << QPointF(box.x0, box.y0) << QPointF(box.x1, box.y0) << QPointF(box.x1, box.y1) << QPointF(box.x0, box.y1);
    }
    return polygon;
}

QString languageTag(const LanguageText &text)
{
    return text.language.empty() ? QObject::tr("original") : QString::fromStdString(text.language);
}

} // namespace

LayoutPageView::LayoutPageView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void LayoutPageView::setPage(const Page &page, const std::vector<size_t> &order)
{
    page_ = page;
    order_ = order;
    image_ = QImage();
    if (!page.image.empty()) {
        QImageReader reader(QString::fromStdString(page.image));
        reader.setAutoTransform(true);
        image_ = reader.read(); // a page whose image went missing is drawn white
    }
    scaled_ = QImage();
    update();
}

void LayoutPageView::setPage(const Page &page)
{
    std::vector<size_t> listed(page.panels.size());
    std::iota(listed.begin(), listed.end(), size_t{0});
    setPage(page, listed);
}

void LayoutPageView::clear() { setPage(Page(), {}); }

std::optional<int> LayoutPageView::numberOf(size_t panel) const
{
    const auto found = std::find(order_.begin(), order_.end(), panel);
    return found == order_.end() ? std::nullopt : std::optional<int>(int(found - order_.begin()) + 1);
}

QTransform LayoutPageView::placing(const QRectF &target) const
{
    if (!(page_.width > 0) || !(page_.height > 0))
        return {};
    const double scale = std::min(target.width() / page_.width, target.height() / page_.height);
    const QPointF origin = target.center() - QPointF(page_.width, page_.height) * scale / 2;
    return QTransform::fromTranslate(origin.x(), origin.y()).scale(scale, scale);
}

QPointF LayoutPageView::toWidget(Point p) const { return placing(rect()).map(QPointF(p.x, p.y)); }

Point LayoutPageView::toPage(QPointF p) const
{
    const QPointF q = placing(rect()).inverted().map(p);
    return {q.x(), q.y()};
}

int LayoutPageView::textAreaAt(QPointF position) const
{
    const Point p = toPage(position);
    for (int i = int(page_.texts.size()) - 1; i >= 0; --i) {
        const TextArea &area = page_.texts[size_t(i)];
        if (polygonOf(area.box, area.outline).containsPoint(QPointF(p.x, p.y), Qt::OddEvenFill))
            return i;
    }
    return -1;
}

QString LayoutPageView::toolTipAt(QPointF position) const
{
    const int at = textAreaAt(position);
    if (at < 0)
        return {};
    QStringList lines;
    for (const LanguageText &text : page_.texts[size_t(at)].texts)
        lines << QStringLiteral("%1: %2").arg(languageTag(text), QString::fromStdString(text.text));
    return lines.isEmpty() ? tr("(a text area without text)") : lines.join(QLatin1Char('\n'));
}

bool LayoutPageView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal), this);
        }
        return true;
    }
    return QWidget::event(event);
}

QSize LayoutPageView::sizeHint() const { return {420, 600}; }

void LayoutPageView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    render(painter, rect());
}

void LayoutPageView::render(QPainter &painter, const QRectF &target) const
{
    const QTransform place = placing(target);
    const QRectF shown = place.mapRect(QRectF(0, 0, page_.width, page_.height));
    if (shown.isEmpty())
        return;
    const auto outline = [&place](const Box &box, const std::vector<Point> &points) { return place.map(polygonOf(box, points)); };
    painter.save();
    painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
    painter.fillRect(shown, Qt::white);
    if (!image_.isNull()) {
        // Scaled once per size, not per paint: a page JPEG is thousands of pixels high, and an
        // SVG embeds the image it is given.
        const QSize pixels = (shown.size() * painter.device()->devicePixelRatioF()).toSize();
        if (scaled_.size() != pixels)
            scaled_ = image_.scaled(pixels, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        painter.drawImage(shown, scaled_);
    }
    painter.setPen(QPen(palette().color(QPalette::Mid), 0));
    painter.drawRect(shown);

    for (const TextArea &area : page_.texts) {
        QColor fill = kTextColour;
        fill.setAlphaF(0.3f);
        painter.setPen(QPen(kTextColour, 1));
        painter.setBrush(fill);
        painter.drawPolygon(outline(area.box, area.outline));
    }

    const double radius = std::clamp(0.035 * std::min(shown.width(), shown.height()), 8.0, 40.0);
    QFont font = painter.font();
    font.setPixelSize(int(std::lround(radius * 1.2)));
    font.setBold(true);
    painter.setFont(font);
    for (size_t i = 0; i < page_.panels.size(); ++i) {
        const Panel &panel = page_.panels[i];
        painter.setPen(QPen(kPanelColour, std::max(2.0, radius / 6)));
        painter.setBrush(Qt::NoBrush);
        painter.drawPolygon(outline(panel.box, panel.outline));
        const std::optional<int> number = numberOf(i);
        if (!number)
            continue;
        const QPointF corner = place.map(QPointF(panel.box.x0, panel.box.y0));
        const QRectF disc(corner + QPointF(radius * 0.4, radius * 0.4), QSizeF(2 * radius, 2 * radius));
        painter.setPen(Qt::NoPen);
        painter.setBrush(kPanelColour);
        painter.drawEllipse(disc);
        painter.setPen(Qt::white);
        painter.drawText(disc, Qt::AlignCenter, QString::number(*number));
    }
    painter.restore();
}

QSize LayoutPageView::exportSize(QSize asked) const
{
    const QSizeF page(page_.width, page_.height);
    if (!asked.isEmpty())
        return page.scaled(QSizeF(asked), Qt::KeepAspectRatio).toSize();
    // A generated layout is one unit wide: brought up to a size that reads, as a page JPEG is
    // brought down to one that does not weigh megabytes.
    const double longer = std::max(page_.width, page_.height);
    return (page * (std::clamp(longer, 1000.0, 2000.0) / longer)).toSize();
}

bool LayoutPageView::exportPage(const QString &path, const QString &title, QSize size, QString *error) const
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!(page_.width > 0) || !(page_.height > 0))
        return fail(tr("%1: no page to export").arg(path));
    size = exportSize(size);
    const QRectF target(QPointF(0, 0), QSizeF(size));
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool written = false;
    if (suffix == QLatin1String("png")) {
        QImage image(size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter painter(&image);
        render(painter, target);
        painter.end();
        written = image.save(path, "PNG");
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(target);
        svg.setResolution(96); // CSS pixels, so the drawing opens at the size it was exported at
        svg.setTitle(title);
        svg.setDescription(tr("Exported from Sculpt"));
        QPainter painter;
        written = painter.begin(&svg);
        if (written) {
            render(painter, target);
            written = painter.end();
        }
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setTitle(title);
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(size) * 72.0 / 96.0, QPageSize::Point));
        pdf.setPageMargins(QMarginsF());
        QPainter painter;
        written = painter.begin(&pdf);
        if (written) {
            render(painter, target);
            written = painter.end();
        }
    } else {
        return fail(tr("%1: unknown page format (use .png, .svg or .pdf)").arg(path));
    }
    return written || fail(tr("%1: could not write the page").arg(path));
}

} // namespace sculpt
