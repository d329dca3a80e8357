#pragma once
// What method plugins register under a name — head-score strategies, adapter kinds, adapter
// prunings — kept in registration order; a name registered twice keeps the first, so
// registering the bundled plugins again is harmless.

#include "io/joined.h"

#include <memory>
#include <string>
#include <vector>

namespace sculpt {

template <class T>
class Registry {
public:
    void add(std::unique_ptr<T> item)
    {
        if (!find(item->name()))
            items_.push_back(std::move(item));
    }
    const T *find(const std::string &name) const
    {
        for (const auto &item : items_)
            if (item->name() == name)
                return item.get();
        return nullptr;
    }
    std::vector<const T *> all() const
    {
        std::vector<const T *> list;
        for (const auto &item : items_)
            list.push_back(item.get());
        return list;
    }
    std::string names() const // "lora, bottleneck, lily": for a one-line error
    {
        std::vector<std::string> list;
        for (const auto &item : items_)
            list.push_back(item->name());
        return joined(list);
    }

private:
    std::vector<std::unique_ptr<T>> items_;
};

} // namespace sculpt
