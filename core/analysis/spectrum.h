#pragma once
#include "analysis/metrics.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

// One matrix's spectrum as Sculpt stores and shows it.
struct TensorSpectrum {
    std::string name;
    std::string contentHash; // hex of the tensor's stored bytes
    int64_t rows = 0, cols = 0;
    std::string method;      // "exact" or "top<K>"
    std::vector<double> singularValues; // descending
    double errorEstimate = 0;           // top-k: bound on ‖W − QQᵀW‖₂ / σ_max; exact: 0
    double seconds = 0;                 // compute time
    SpectrumMetrics metrics;
};

} // namespace sculpt
