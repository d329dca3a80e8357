#pragma once
// File dialogs that several parts of the window open alike, so a checkpoint is offered the same
// way wherever one is asked for, and a CSV export gets its suffix wherever it is saved.

#include <QString>

class QWidget;

namespace sculpt {

// The open dialog's filter for checkpoint files (a folder is opened through its own dialog).
QString checkpointFilter();

// A CSV file to save to, `suggested` first; ".csv" added when the name has no suffix; empty
// when cancelled.
QString chooseCsvFile(QWidget *parent, const QString &title, const QString &suggested);

} // namespace sculpt
