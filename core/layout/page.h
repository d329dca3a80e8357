#pragma once
// A comic or manga page as its annotation describes it: the page's size, its panels, its text
// areas (with their text in every language the file gives) and, for Manga109, its faces and
// bodies. What the readers (layout_reader.h) return and everything after them reads: the
// reading order, the panel conditioning, the layout metrics and the window's Layouts view.
// Coordinates are the page image's pixels, y down. Torch-free and Qt-free.

#include <string>
#include <vector>

namespace sculpt {

struct Point {
    double x = 0, y = 0;
};

struct Box {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0; // x0 ≤ x1, y0 ≤ y1

    double width() const { return x1 - x0; }
    double height() const { return y1 - y0; }
    double area() const { return width() * height(); }
};

// The smallest box holding every point (a polygon's bounds); an empty box for none.
Box boundsOf(const std::vector<Point> &points);

struct Panel {
    Box box;
    std::vector<Point> outline; // ACBF's polygon; empty where the file gives a box
};

struct LanguageText {
    std::string language; // "ja", "en", "zh", "sk"…; empty where the file does not say
    std::string text;
};

// A speech balloon, caption or sign. Its texts: the original first, then translations.
struct TextArea {
    Box box;
    std::vector<Point> outline;
    std::vector<LanguageText> texts;
};

// Manga109's character boxes.
struct Figure {
    Box box;
    std::string kind; // "face" or "body"
};

enum class ReadingDirection { RightToLeft, LeftToRight };

struct Page {
    int index = 0;      // as the file numbers it
    std::string image;  // the page image's absolute path when the file names one that exists
    double width = 0, height = 0;
    bool spread = false; // two pages side by side (Manga109): read the right page, then the left
    std::vector<Panel> panels; // in the file's order
    std::vector<TextArea> texts;
    std::vector<Figure> figures;
};

// The boxes of the page's panels, in the file's order: what the reading order and the layout
// metrics work on.
std::vector<Box> panelBoxes(const Page &page);

struct LayoutBook {
    std::string title;
    std::string file;   // the annotation file it was read from
    std::string format; // "Manga109", "OpenMantra", "ACBF"
    ReadingDirection direction = ReadingDirection::RightToLeft;
    // Whether the file lists each page's panels in reading order (OpenMantra and ACBF do;
    // Manga109 lists them as annotated), so an estimated order can be compared with it.
    bool panelsInReadingOrder = false;
    std::vector<Page> pages;
};

} // namespace sculpt
