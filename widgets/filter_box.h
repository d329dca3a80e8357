#pragma once
#include <QLineEdit>
#include <QRegularExpression>
#include <optional>

namespace sculpt {

// The model tree's filter: a case-insensitive substring of tensor names, or a regular
// expression when the text starts with '/' ("/layers\.[0-3]\..*q_proj"). An invalid
// expression tints the box and keeps the last valid filter.
class FilterBox : public QLineEdit {
    Q_OBJECT
public:
    explicit FilterBox(QWidget *parent = nullptr);

    // The pattern the text stands for, or nothing (and `error`) for an invalid expression.
    static std::optional<QRegularExpression> patternFor(const QString &text, QString *error = nullptr);

    bool isValid() const { return valid_; }

Q_SIGNALS:
    void filterChanged(const QRegularExpression &pattern);

private:
    void onTextChanged(const QString &text);

    bool valid_ = true;
    QString help_;
};

} // namespace sculpt
