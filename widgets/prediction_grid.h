#pragma once
#include "records/adaptation_record.h"

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

class QGridLayout;
class QLabel;

namespace sculpt {

// One of a task's test images: its pixels and the class it is.
struct TestImage {
    QImage image;
    int64_t label = 0;
};
// The first `count` test images of a task (core/data/image_task.h's "t1", "t2" …), fewer when
// it has fewer. Throws std::exception, with a one-line reason, when they cannot be read.
using TestImages = std::function<std::vector<TestImage>(const std::string &task, int64_t count)>;

// An accuracy in percent, "—" when it was not measured (NaN).
QString accuracyText(double fraction);

// A fine-tuning run's starting model and its result side by side on the same test images:
// each column headed by that model's test accuracy and trained parameters, each image
// captioned with the class the model predicts, its mistakes framed and captioned in red. The
// record keeps only the predictions; the images and their labels come from the source.
class PredictionGrid : public QWidget {
    Q_OBJECT
public:
    enum Side { Before, After };

    explicit PredictionGrid(QWidget *parent = nullptr);

    // Asked on every showRun: the window's source keeps what it reads.
    void setTestImageSource(TestImages source);
    void showRun(const AdaptationRecord *run); // null: no run chosen

    int imageCount(Side side) const;
    int mistakes(Side side) const;
    QString header(Side side) const;
    QString note() const; // why there is no grid, when there is none

private:
    struct Column {
        QWidget *widget;
        QLabel *header;
        QGridLayout *tiles;
        int mistakes = 0;
    };
    void showEmpty(const QString &why);
    void fill(Column &column, const QString &header, const std::vector<int64_t> &predictions,
              const std::vector<TestImage> &images);
    const Column &column(Side side) const { return side == Before ? before_ : after_; }

    TestImages source_;
    QLabel *note_;
    Column before_, after_;
};

} // namespace sculpt
