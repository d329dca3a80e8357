#include "records/expert_routing.h"

#include <cmath>
#include <stdexcept>

namespace sculpt {

void checkExpertRouting(const ExpertRouting &routing)
{
    if (routing.experts < 0 || routing.weights.size() != routing.rows.size() * size_t(routing.experts))
        throw std::invalid_argument("expert routing holds " + std::to_string(routing.weights.size()) + " weights for " +
                                    std::to_string(routing.rows.size()) + " layers × " +
                                    std::to_string(routing.experts) + " experts");
    for (size_t r = 0; r < routing.rows.size(); ++r) {
        double sum = 0;
        for (int64_t e = 0; e < routing.experts; ++e) {
            const double w = routing.at(r, e);
            if (!(w >= 0 && w <= 1))
                throw std::invalid_argument("layer " + routing.rows[r] + " gives expert " + std::to_string(e) +
                                            " a weight outside [0, 1]");
            sum += w;
        }
        if (std::abs(sum - 1) > 1e-6)
            throw std::invalid_argument("layer " + routing.rows[r] + "'s expert weights sum to " + std::to_string(sum));
    }
}

} // namespace sculpt
