#pragma once
// Numbers a Python reference printed as nested JSON lists, flattened in row-major order.

#include <QJsonArray>
#include <QJsonValue>

#include <vector>

namespace sculpt::test {

inline void flattenJson(const QJsonValue &value, std::vector<double> &out)
{
    if (value.isArray())
        for (const QJsonValue &v : value.toArray())
            flattenJson(v, out);
    else
        out.push_back(value.toDouble());
}

} // namespace sculpt::test
