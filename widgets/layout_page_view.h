#pragma once
#include "layout/page.h"

#include <QImage>
#include <QSize>
#include <QString>
#include <QTransform>
#include <QWidget>

#include <optional>
#include <vector>

class QPainter;

namespace sculpt {

// One comic or manga page as its annotation says: the page image scaled to fit (a white page
// where there is none, as for a generated layout), every panel outlined — its polygon where
// the file gives one — and numbered in the reading order it is given, the text areas shaded.
// Hovering a text area shows its texts, the original first, each with its language.
class LayoutPageView : public QWidget {
    Q_OBJECT
public:
    explicit LayoutPageView(QWidget *parent = nullptr);

    // `order` holds indices into page.panels, first read first; panels it leaves out are
    // outlined without a number. The image is decoded here, on the calling thread: one page
    // JPEG takes milliseconds, and the view shows one page at a time.
    void setPage(const Page &page, const std::vector<size_t> &order);
    // Numbered as listed: a generated layout's panels come in the model's reading order.
    void setPage(const Page &page);
    void clear();
    const Page &page() const { return page_; }

    // The number drawn on page.panels[panel] (1 for the first read), nullopt for none.
    std::optional<int> numberOf(size_t panel) const;
    // Where a point of the page lies in the widget, and back.
    QPointF toWidget(Point p) const;
    Point toPage(QPointF p) const;
    // The text area under a widget position (the topmost, as drawn), or -1.
    int textAreaAt(QPointF position) const;
    // What hovering there shows: one line per language, empty over no text area.
    QString toolTipAt(QPointF position) const;

    // Writes the page as drawn as PNG, SVG or PDF, by the file's suffix, `size` pixels wide
    // and high (the page's aspect is kept inside it); the page's own size, at most 2000
    // pixels on its longer side, when empty. False with `error` set when the suffix is
    // unknown or the file cannot be written.
    bool exportPage(const QString &path, const QString &title, QSize size = {}, QString *error = nullptr) const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    // Page pixels to `target`'s: the page fitted in, centred, its aspect kept.
    QTransform placing(const QRectF &target) const;
    void render(QPainter &painter, const QRectF &target) const;
    QSize exportSize(QSize asked) const;

    Page page_;
    std::vector<size_t> order_;
    QImage image_;
    mutable QImage scaled_; // image_ at the size last drawn
};

} // namespace sculpt
