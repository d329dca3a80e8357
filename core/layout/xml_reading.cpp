#include "layout/xml_reading.h"

#include "io/error.h"

#include <expat.h>

#include <exception>
#include <memory>

namespace sculpt {
namespace {

// expat hands namespaced names over as "uri|local"; '|' cannot stand in an XML name.
constexpr char kNamespaceSeparator = '|';

std::string localName(const XML_Char *name)
{
    const std::string_view full(name);
    const size_t bar = full.rfind(kNamespaceSeparator);
    return std::string(bar == std::string_view::npos ? full : full.substr(bar + 1));
}

struct ParserDeleter {
    void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};
using Parser = std::unique_ptr<XML_ParserStruct, ParserDeleter>;

Parser makeParser()
{
    Parser parser(XML_ParserCreateNS(nullptr, kNamespaceSeparator));
    if (!parser)
        throw std::bad_alloc();
    return parser;
}

// Builds the tree as expat reports it. Nothing may be thrown through expat's C frames: a
// refusal or an exception is kept here and the parser stopped, and parseXml throws it after.
// expat may still call back once stopped (an empty element's end, say): those calls are
// ignored.
struct TreeBuilder {
    XML_Parser parser;
    XmlElement root;
    std::vector<XmlElement *> open;
    size_t nodes = 0;
    std::string refusal;
    std::exception_ptr failure;

    void stop(std::string reason)
    {
        refusal = std::move(reason);
        XML_StopParser(parser, XML_FALSE);
    }

    // Counts one node more; false, the parser stopped, past kMaxXmlNodes.
    bool count()
    {
        ++nodes;
        if (nodes <= kMaxXmlNodes)
            return true;
        stop("more than " + std::to_string(kMaxXmlNodes) + " elements, attributes and texts");
        return false;
    }

    bool stopped() const { return failure || !refusal.empty(); }

    template <typename Step> void guarded(Step step)
    {
        if (stopped())
            return;
        try {
            step();
        } catch (...) {
            failure = std::current_exception();
            XML_StopParser(parser, XML_FALSE);
        }
    }

    void start(const XML_Char *name, const XML_Char **attributes)
    {
        if (!count())
            return;
        if (open.size() >= size_t(kMaxXmlDepth))
            return stop("elements nested more than " + std::to_string(kMaxXmlDepth) + " deep");
        XmlElement *element = &root;
        if (!open.empty()) {
            open.back()->children.emplace_back();
            element = &open.back()->children.back();
        }
        element->name = localName(name);
        for (const XML_Char **a = attributes; *a; a += 2) {
            if (!count())
                return;
            element->attributes.emplace_back(localName(a[0]), a[1]);
        }
        open.push_back(element);
    }

    void characters(const XML_Char *text, int length)
    {
        std::vector<XmlElement> &siblings = open.back()->children;
        if (siblings.empty() || !siblings.back().name.empty()) {
            if (!count())
                return;
            siblings.emplace_back();
        }
        siblings.back().text.append(text, size_t(length));
    }
};

} // namespace

const std::string *XmlElement::attribute(std::string_view key) const
{
    for (const auto &[name, value] : attributes)
        if (name == key)
            return &value;
    return nullptr;
}

std::string XmlElement::innerText() const
{
    std::string all = text;
    for (const XmlElement &child : children)
        all += child.innerText();
    return all;
}

XmlElement parseXml(std::string_view text, const std::string &path)
{
    const Parser parser = makeParser();
    TreeBuilder builder{parser.get(), {}, {}, 0, {}, {}};
    XML_SetUserData(parser.get(), &builder);
    XML_SetElementHandler(
        parser.get(),
        [](void *data, const XML_Char *name, const XML_Char **attributes) {
            auto *b = static_cast<TreeBuilder *>(data);
            b->guarded([&] { b->start(name, attributes); });
        },
        [](void *data, const XML_Char *) {
            auto *b = static_cast<TreeBuilder *>(data);
            if (!b->stopped())
                b->open.pop_back();
        });
    XML_SetCharacterDataHandler(parser.get(), [](void *data, const XML_Char *chars, int length) {
        auto *b = static_cast<TreeBuilder *>(data);
        b->guarded([&] { b->characters(chars, length); });
    });
    const XML_Status status = XML_Parse(parser.get(), text.data(), int(text.size()), XML_TRUE);
    if (builder.failure)
        std::rethrow_exception(builder.failure);
    if (!builder.refusal.empty())
        throw FileError(path, "XML with " + builder.refusal + ": not an annotation file Sculpt reads");
    if (status != XML_STATUS_OK)
        throw FileError(path, "malformed XML at line " + std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                                  XML_ErrorString(XML_GetErrorCode(parser.get())));
    return std::move(builder.root);
}

std::string xmlRootName(std::string_view text)
{
    const Parser parser = makeParser();
    struct Sniff {
        XML_Parser parser;
        std::string root;
    } sniff{parser.get(), {}};
    XML_SetUserData(parser.get(), &sniff);
    XML_SetStartElementHandler(parser.get(), [](void *data, const XML_Char *name, const XML_Char **) {
        auto *s = static_cast<Sniff *>(data);
        try {
            s->root = localName(name);
        } catch (...) { // out of memory for a name: no root found
        }
        XML_StopParser(s->parser, XML_FALSE);
    });
    XML_Parse(parser.get(), text.data(), int(text.size()), XML_TRUE);
    return sniff.root;
}

} // namespace sculpt
