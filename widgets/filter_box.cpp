#include "filter_box.h"

namespace sculpt {

FilterBox::FilterBox(QWidget *parent) : QLineEdit(parent)
{
    setPlaceholderText(tr("Filter tensors (text, or /regex)"));
    setClearButtonEnabled(true);
    help_ = tr("Shows the tensors whose name contains this text (case-insensitive).\n"
               "Start with / for a regular expression, e.g. /layers\\.[0-3]\\..*(q|k)_proj");
    setToolTip(help_);
    connect(this, &QLineEdit::textChanged, this, &FilterBox::onTextChanged);
}

std::optional<QRegularExpression> FilterBox::patternFor(const QString &text, QString *error)
{
    QRegularExpression pattern(text.startsWith(QLatin1Char('/')) ? text.mid(1) : QRegularExpression::escape(text),
                               QRegularExpression::CaseInsensitiveOption);
    if (!pattern.isValid()) {
        if (error)
            *error = pattern.errorString();
        return std::nullopt;
    }
    return pattern;
}

void FilterBox::onTextChanged(const QString &text)
{
    QString error;
    const auto pattern = patternFor(text, &error);
    valid_ = pattern.has_value();
    // A tint of the palette rather than a fixed colour, so the box stays readable in dark
    // palettes too; valid, it inherits the palette again and follows a later switch.
    QPalette tinted;
    if (!valid_) {
        const QColor base = QPalette().color(QPalette::Base);
        tinted.setColor(QPalette::Base, QColor::fromRgbF(0.7f * base.redF() + 0.3f, 0.7f * base.greenF(),
                                                          0.7f * base.blueF()));
    }
    setPalette(tinted);
    setToolTip(valid_ ? help_ : tr("Invalid regular expression: %1").arg(error));
    if (pattern)
        Q_EMIT filterChanged(*pattern);
}

} // namespace sculpt
