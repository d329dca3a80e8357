#include "prediction_grid.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <exception>

namespace sculpt {
namespace {

// Two sides of four tiles fit beside the curve in a window 1200 pixels wide.
constexpr int kColumns = 4;
constexpr int kTile = 64;           // an image's longer side at most, in pixels
constexpr int kFrame = 2;           // around a mistake
const QColor kMistake(220, 50, 47); // reads on light and dark backgrounds alike

// Small images (28 × 28 digits and garments) grow by a whole factor, pixel for pixel, so
// strokes stay sharp; larger ones shrink to the tile.
QPixmap tileOf(const QImage &image, bool mistake)
{
    const int side = std::max(image.width(), image.height());
    const QImage scaled =
        side > 0 && side <= kTile / 2
            ? image.scaled(image.size() * (kTile / side), Qt::IgnoreAspectRatio, Qt::FastTransformation)
            : image.scaled(kTile, kTile, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QPixmap tile(scaled.size() + QSize(2 * kFrame, 2 * kFrame));
    tile.fill(mistake ? kMistake : QColor(Qt::transparent));
    QPainter painter(&tile);
    painter.drawImage(kFrame, kFrame, scaled);
    return tile;
}

QString trainedText(int64_t trainable)
{
    return trainable > 0 ? PredictionGrid::tr("%1 parameters trained").arg(QLocale().toString(qlonglong(trainable)))
                         : PredictionGrid::tr("nothing trained");
}

} // namespace

QString accuracyText(double fraction)
{
    return std::isnan(fraction) ? QStringLiteral("—") : QStringLiteral("%1\u00a0%").arg(100 * fraction, 0, 'f', 1);
}

PredictionGrid::PredictionGrid(QWidget *parent) : QWidget(parent), note_(new QLabel)
{
    note_->setWordWrap(true);
    note_->setForegroundRole(QPalette::PlaceholderText);
    auto *columns = new QHBoxLayout;
    for (Column *c : {&before_, &after_}) {
        c->widget = new QWidget;
        c->header = new QLabel;
        c->header->setTextInteractionFlags(Qt::TextSelectableByMouse);
        c->tiles = new QGridLayout;
        c->tiles->setSpacing(4);
        auto *layout = new QVBoxLayout(c->widget);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(c->header);
        layout->addLayout(c->tiles);
        layout->addStretch();
        columns->addWidget(c->widget);
    }
    columns->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note_);
    layout->addLayout(columns);
    layout->addStretch();
    showRun(nullptr);
}

void PredictionGrid::setTestImageSource(TestImages source) { source_ = std::move(source); }

void PredictionGrid::showRun(const AdaptationRecord *run)
{
    if (!run)
        return showEmpty(tr("Choose a run to see what its models predict."));
    if (run->predictions.empty())
        return showEmpty(run->command == "heads" ? tr("A heads run changes no model: it has no predictions to show.")
                                                 : tr("This run kept no predictions."));
    if (!source_)
        return showEmpty(tr("The task's test images are not at hand."));
    const auto wanted = int64_t(std::max(run->predictions.size(), run->referencePredictions.size()));
    std::vector<TestImage> images;
    try {
        images = source_(run->task, wanted);
    } catch (const std::exception &e) {
        return showEmpty(tr("The test images could not be read: %1").arg(QString::fromUtf8(e.what())));
    }
    if (int64_t(images.size()) < wanted)
        return showEmpty(
            tr("Only %1 of the %2 test images the run predicted are at hand.").arg(images.size()).arg(wanted));

    const bool heat = run->command == "heat";
    note_->hide();
    fill(before_,
         tr("Before: %1\ntest accuracy %2 · %3")
             .arg(heat ? tr("every head") : tr("as opened"), accuracyText(run->referenceTestAccuracy),
                  trainedText(run->referenceTrainable)),
         run->referencePredictions, images);
    fill(after_,
         tr("After: %1\ntest accuracy %2 · %3")
             .arg(heat ? tr("the weakest heads masked") : tr("%1 fine-tuned").arg(QString::fromStdString(run->method)),
                  accuracyText(run->testAccuracy), trainedText(run->trainable)),
         run->predictions, images);
}

void PredictionGrid::showEmpty(const QString &why)
{
    note_->setText(why);
    note_->show();
    for (Column *c : {&before_, &after_})
        fill(*c, {}, {}, {});
}

void PredictionGrid::fill(Column &column, const QString &header, const std::vector<int64_t> &predictions,
                          const std::vector<TestImage> &images)
{
    while (QLayoutItem *item = column.tiles->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    column.header->setText(header);
    column.widget->setVisible(!header.isEmpty());
    column.mistakes = 0;
    for (size_t i = 0; i < predictions.size(); ++i) {
        const TestImage &image = images[i];
        const bool mistake = predictions[i] != image.label;
        column.mistakes += mistake;
        auto *picture = new QLabel;
        picture->setPixmap(tileOf(image.image, mistake));
        picture->setAlignment(Qt::AlignCenter);
        auto *caption = new QLabel(QString::number(predictions[i]));
        caption->setAlignment(Qt::AlignCenter);
        if (mistake) {
            QPalette red = caption->palette();
            red.setColor(QPalette::WindowText, kMistake);
            caption->setPalette(red);
        }
        const QString tip = tr("test image %1: class %2, predicted %3").arg(i).arg(image.label).arg(predictions[i]);
        picture->setToolTip(tip);
        caption->setToolTip(tip);
        const int row = 2 * (int(i) / kColumns), col = int(i) % kColumns;
        column.tiles->addWidget(picture, row, col);
        column.tiles->addWidget(caption, row + 1, col);
    }
}

int PredictionGrid::imageCount(Side side) const { return column(side).tiles->count() / 2; }

int PredictionGrid::mistakes(Side side) const { return column(side).mistakes; }

QString PredictionGrid::header(Side side) const { return column(side).header->text(); }

QString PredictionGrid::note() const { return note_->isHidden() ? QString() : note_->text(); }

} // namespace sculpt
