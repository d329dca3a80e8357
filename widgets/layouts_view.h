#pragma once
#include "layout/page.h"
#include "layout/reading_order.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace sculpt {

class LayoutPageView;
class PanelConditioningView;

// The Layouts tab: the books of an annotation file or folder as a list of pages (with their
// panel counts), the chosen page with its panels numbered in reading order and, above it,
// what MangaDiffusion would be fed for it; and how far the estimated reading order agrees with
// the file's own. Shows what it is given; the window reads the files.
class LayoutsView : public QWidget {
    Q_OBJECT
public:
    explicit LayoutsView(QWidget *parent = nullptr);

    // The books read from `source`, their first page chosen. `agreement`: the estimator
    // against the files' order, when a book gives one.
    void showBooks(std::shared_ptr<const std::vector<LayoutBook>> books, const QString &source,
                   const std::optional<OrderAgreement> &agreement);
    // One line under the tab's bar — a file that could not be read, in red, or a page saved;
    // what is shown stays.
    void showMessage(const QString &line, bool error = true);
    QString message() const;

    void selectPage(int book, int page);
    const Page *currentPage() const;
    int pageCount() const; // over every book
    // The panel order drawn: the file's where its book gives one and the estimate is not
    // asked for, else the recursive cut's.
    std::vector<size_t> orderOf(int book, int page) const;
    const std::vector<LayoutBook> *books() const { return books_.get(); }

    // Writes the page view as PNG, SVG or PDF (by suffix) and says so in the message line.
    bool exportPage(const QString &path);

    QToolButton *openButton() const { return open_; }
    QToolButton *openFolderButton() const { return openFolder_; }
    QTreeWidget *pageList() const { return pages_; }
    LayoutPageView *pageView() const { return pageView_; }
    PanelConditioningView *conditioningView() const { return conditioning_; }
    QLabel *agreementLabel() const { return agreement_; }
    QCheckBox *estimateOrder() const { return estimate_; }

private:
    void showCurrent();
    void chooseExportFile();

    std::shared_ptr<const std::vector<LayoutBook>> books_;
    QString source_;
    QToolButton *open_, *openFolder_;
    QLabel *sourceLabel_, *agreement_, *message_, *order_;
    QCheckBox *estimate_;
    QPushButton *export_;
    QTreeWidget *pages_;
    LayoutPageView *pageView_;
    PanelConditioningView *conditioning_;
};

} // namespace sculpt
