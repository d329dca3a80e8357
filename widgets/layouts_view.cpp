#include "layouts_view.h"

#include "layout_page_view.h"
#include "panel_conditioning_view.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <numeric>

namespace sculpt {
namespace {

enum Role { BookRole = Qt::UserRole, PageRole };

QString directionName(ReadingDirection direction)
{
    return direction == ReadingDirection::RightToLeft ? QObject::tr("right to left") : QObject::tr("left to right");
}

} // namespace

LayoutsView::LayoutsView(QWidget *parent)
    : QWidget(parent), open_(new QToolButton), openFolder_(new QToolButton), sourceLabel_(new QLabel),
      agreement_(new QLabel), message_(new QLabel), order_(new QLabel),
      estimate_(new QCheckBox(tr("Estimated order"))), export_(new QPushButton(tr("Export page…"))),
      pages_(new QTreeWidget), pageView_(new LayoutPageView), conditioning_(new PanelConditioningView)
{
    sourceLabel_->setText(tr("Open an annotation file or folder (Manga109 XML, OpenMantra's annotation.json, ACBF) to "
                             "see its pages."));
    sourceLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    agreement_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    agreement_->setToolTip(tr("The panels' reading order estimated from their boxes alone (Kovanen and Aizawa's "
                              "recursive cut) against the order the file lists them in, over pages with two or more panels"));
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    message_->hide();
    estimate_->setToolTip(tr("Number the panels in the order the recursive cut estimates, not the file's"));
    export_->setToolTip(tr("Save the page as drawn (panels, numbers, text areas) as PNG, SVG or PDF"));
    export_->setEnabled(false);

    auto *bar = new QHBoxLayout;
    bar->addWidget(open_);
    bar->addWidget(openFolder_);
    bar->addWidget(sourceLabel_, 1);

    pages_->setColumnCount(2);
    pages_->setHeaderLabels({tr("Book / page"), tr("Panels")});
    pages_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    pages_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    pages_->header()->setStretchLastSection(false);
    pages_->setUniformRowHeights(true);

    auto *pageBar = new QHBoxLayout;
    pageBar->addWidget(order_, 1);
    pageBar->addWidget(estimate_);
    pageBar->addWidget(export_);
    auto *pagePane = new QWidget;
    auto *pageLayout = new QVBoxLayout(pagePane);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->addLayout(pageBar);
    pageLayout->addWidget(pageView_, 1);
    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(conditioning_);
    right->addWidget(pagePane);
    right->setStretchFactor(0, 2);
    right->setStretchFactor(1, 3);
    auto *split = new QSplitter;
    split->addWidget(pages_);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({240, 760});
    pages_->setMinimumWidth(160);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(agreement_);
    layout->addWidget(message_);
    layout->addWidget(split, 1);

    connect(pages_, &QTreeWidget::currentItemChanged, this, &LayoutsView::showCurrent);
    connect(estimate_, &QCheckBox::toggled, this, &LayoutsView::showCurrent);
    connect(export_, &QPushButton::clicked, this, &LayoutsView::chooseExportFile);
}

void LayoutsView::showBooks(std::shared_ptr<const std::vector<LayoutBook>> books, const QString &source,
                            const std::optional<OrderAgreement> &agreement)
{
    books_ = std::move(books);
    source_ = source;
    message_->hide();
    QStringList formats;
    for (const LayoutBook &book : *books_)
        if (const QString format = QString::fromStdString(book.format); !formats.contains(format))
            formats << format;
    sourceLabel_->setText(tr("<b>%1</b> — %2, %n book(s)", nullptr, int(books_->size()))
                              .arg(source.toHtmlEscaped(), formats.join(QStringLiteral(", ")))
                          + tr(", %n page(s)", nullptr, pageCount()));
    if (agreement && agreement->pages > 0)
        agreement_->setText(tr("Reading order: the estimate agrees with the file's on %1 of %2 pages (%3\u00a0%), mean "
                               "Kendall τ %4")
                                .arg(agreement->fullAgreement)
                                .arg(agreement->pages)
                                .arg(100.0 * agreement->fullAgreement / agreement->pages, 0, 'f', 1)
                                .arg(agreement->meanTau, 0, 'f', 3));
    else
        agreement_->setText(tr("Reading order: the file gives none; the panels are numbered in the order the recursive "
                               "cut estimates"));

    QSignalBlocker blocker(pages_); // one page shown, not one per item added
    pages_->clear();
    for (int b = 0; b < int(books_->size()); ++b) {
        const LayoutBook &book = (*books_)[size_t(b)];
        auto *bookItem = new QTreeWidgetItem(pages_, {QString::fromStdString(book.title)});
        bookItem->setToolTip(0, tr("%1, read %2").arg(QString::fromStdString(book.format), directionName(book.direction)));
        for (int p = 0; p < int(book.pages.size()); ++p) {
            const Page &page = book.pages[size_t(p)];
            auto *item = new QTreeWidgetItem(bookItem, {tr("page %1").arg(page.index), QString::number(page.panels.size())});
            item->setData(0, BookRole, b);
            item->setData(0, PageRole, p);
            item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        }
    }
    pages_->expandAll();
    blocker.unblock();
    selectPage(0, 0);
}

void LayoutsView::showMessage(const QString &line, bool error)
{
    message_->setStyleSheet(error ? QStringLiteral("color: #c0392b") : QString());
    message_->setText(line);
    message_->setVisible(!line.isEmpty());
}

QString LayoutsView::message() const { return message_->isHidden() ? QString() : message_->text(); }

int LayoutsView::pageCount() const
{
    if (!books_)
        return 0;
    return std::accumulate(books_->begin(), books_->end(), 0,
                           [](int n, const LayoutBook &book) { return n + int(book.pages.size()); });
}

void LayoutsView::selectPage(int book, int page)
{
    const QTreeWidgetItem *bookItem = pages_->topLevelItem(book);
    if (QTreeWidgetItem *item = bookItem ? bookItem->child(page) : nullptr)
        pages_->setCurrentItem(item);
    else
        showCurrent();
}

const Page *LayoutsView::currentPage() const
{
    const QTreeWidgetItem *item = pages_->currentItem();
    if (!books_ || !item || !item->data(0, BookRole).isValid())
        return nullptr;
    return &(*books_)[item->data(0, BookRole).toUInt()].pages[item->data(0, PageRole).toUInt()];
}

std::vector<size_t> LayoutsView::orderOf(int book, int page) const
{
    const LayoutBook &b = books_->at(size_t(book));
    const Page &p = b.pages.at(size_t(page));
    if (!b.panelsInReadingOrder || estimate_->isChecked())
        return readingOrder(p, b.direction);
    std::vector<size_t> listed(p.panels.size());
    std::iota(listed.begin(), listed.end(), size_t{0});
    return listed;
}

void LayoutsView::showCurrent()
{
    const QTreeWidgetItem *item = pages_->currentItem();
    const Page *page = currentPage();
    export_->setEnabled(page != nullptr);
    if (!page) {
        pageView_->clear();
        conditioning_->clear();
        order_->clear();
        return;
    }
    const int b = item->data(0, BookRole).toInt(), p = item->data(0, PageRole).toInt();
    const LayoutBook &book = (*books_)[size_t(b)];
    const std::vector<size_t> order = orderOf(b, p);
    pageView_->setPage(*page, order);
    conditioning_->setPage(*page, order);
    estimate_->setEnabled(book.panelsInReadingOrder);
    QString says = book.panelsInReadingOrder && !estimate_->isChecked() ? tr("%1, page %2: the file's panel order")
                                                                         : tr("%1, page %2: the estimated panel order");
    says = says.arg(QString::fromStdString(book.title)).arg(page->index);
    if (book.panelsInReadingOrder && page->panels.size() >= 2)
        says += tr(" (Kendall τ of the estimate against the file's: %1)")
                    .arg(kendallTau(readingOrder(*page, book.direction)), 0, 'f', 2);
    order_->setText(says);
}

bool LayoutsView::exportPage(const QString &path)
{
    const Page *page = currentPage();
    QString error;
    const QString title = page ? tr("%1, page %2").arg(QFileInfo(source_).fileName()).arg(page->index) : QString();
    const bool saved = pageView_->exportPage(path, title, {}, &error);
    showMessage(saved ? tr("Saved the page to %1").arg(path) : error, !saved);
    return saved;
}

void LayoutsView::chooseExportFile()
{
    const Page *page = currentPage();
    if (!page)
        return;
    const QString stem = QFileInfo(source_).completeBaseName() + QStringLiteral("-page%1.png").arg(page->index);
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export page"), QFileInfo(source_).dir().filePath(stem),
                                                tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"), &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter.contains(QLatin1String("svg")) ? QStringLiteral(".svg")
                : filter.contains(QLatin1String("pdf")) ? QStringLiteral(".pdf")
                                                         : QStringLiteral(".png");
    exportPage(path);
}

} // namespace sculpt
