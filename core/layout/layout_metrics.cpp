#include "layout/layout_metrics.h"

#include "layout/reading_order.h"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sculpt {
namespace {

bool hasArea(const Page &page)
{
    return std::isfinite(page.width) && std::isfinite(page.height) && page.width > 0 && page.height > 0;
}

// The page's panels in page units: the page runs from 0 to 1 both ways.
std::vector<Box> normalisedPanels(const Page &page)
{
    std::vector<Box> boxes = panelBoxes(page);
    for (Box &b : boxes)
        b = {b.x0 / page.width, b.y0 / page.height, b.x1 / page.width, b.y1 / page.height};
    return boxes;
}

double intersection(const Box &a, const Box &b)
{
    const double w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
    const double h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
    return w > 0 && h > 0 ? w * h : 0;
}

// Union area by strips between consecutive box edges: in each strip, the boxes spanning it
// cover the union of their y intervals.
double unionArea(const std::vector<Box> &boxes)
{
    std::vector<double> xs;
    for (const Box &b : boxes)
        if (b.width() > 0 && b.height() > 0) {
            xs.push_back(b.x0);
            xs.push_back(b.x1);
        }
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    double area = 0;
    std::vector<std::pair<double, double>> spans;
    for (size_t k = 0; k + 1 < xs.size(); ++k) {
        spans.clear();
        for (const Box &b : boxes)
            if (b.x0 <= xs[k] && b.x1 >= xs[k + 1] && b.height() > 0)
                spans.emplace_back(b.y0, b.y1);
        std::sort(spans.begin(), spans.end());
        double covered = 0, top = -std::numeric_limits<double>::infinity();
        for (const auto &[y0, y1] : spans) {
            covered += std::max(0.0, y1 - std::max(y0, top));
            top = std::max(top, y1);
        }
        area += covered * (xs[k + 1] - xs[k]);
    }
    return area;
}

template <typename PerPage> double meanOver(const std::vector<Page> &pages, bool needPanels, PerPage perPage)
{
    double sum = 0;
    int counted = 0;
    for (const Page &page : pages)
        if (hasArea(page) && (!needPanels || !page.panels.empty())) {
            sum += perPage(page);
            ++counted;
        }
    return counted ? sum / counted : 0;
}

using Features = Eigen::Matrix<double, 4, 1>;
using Covariance = Eigen::Matrix<double, 4, 4>;

std::vector<Features> panelFeatures(const std::vector<Page> &pages)
{
    std::vector<Features> features;
    for (const Page &page : pages)
        if (hasArea(page))
            for (const Box &b : normalisedPanels(page))
                features.push_back({(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, b.width(), b.height()});
    return features;
}

// The square root of a symmetric positive semi-definite matrix through its eigendecomposition;
// rounding's slightly negative eigenvalues count as 0.
Covariance symmetricSqrt(const Covariance &m)
{
    const Eigen::SelfAdjointEigenSolver<Covariance> eigen(m);
    const Features roots = eigen.eigenvalues().cwiseMax(0.0).cwiseSqrt();
    return eigen.eigenvectors() * roots.asDiagonal() * eigen.eigenvectors().transpose();
}

} // namespace

double panelCountAccuracy(const std::vector<Page> &pages, const std::vector<int> &requested)
{
    if (pages.size() != requested.size())
        throw std::invalid_argument("panelCountAccuracy: " + std::to_string(pages.size()) + " pages but " +
                                    std::to_string(requested.size()) + " requested counts");
    if (pages.empty())
        return 0;
    size_t right = 0;
    for (size_t i = 0; i < pages.size(); ++i)
        right += requested[i] >= 0 && pages[i].panels.size() == size_t(requested[i]);
    return double(right) / double(pages.size());
}

std::vector<int> panelCountHistogram(const std::vector<Page> &pages)
{
    std::vector<int> histogram;
    for (const Page &page : pages) {
        if (histogram.size() <= page.panels.size())
            histogram.resize(page.panels.size() + 1);
        ++histogram[page.panels.size()];
    }
    return histogram;
}

double pageOverlap(const Page &page)
{
    if (!hasArea(page))
        return 0;
    const std::vector<Box> boxes = normalisedPanels(page);
    double overlap = 0;
    for (size_t i = 0; i < boxes.size(); ++i)
        for (size_t j = i + 1; j < boxes.size(); ++j)
            overlap += intersection(boxes[i], boxes[j]);
    return overlap;
}

double pageCoverage(const Page &page)
{
    if (!hasArea(page))
        return 0;
    std::vector<Box> boxes = normalisedPanels(page);
    for (Box &b : boxes)
        b = {std::clamp(b.x0, 0.0, 1.0), std::clamp(b.y0, 0.0, 1.0), std::clamp(b.x1, 0.0, 1.0),
             std::clamp(b.y1, 0.0, 1.0)};
    return unionArea(boxes);
}

double pageAlignment(const Page &page)
{
    if (!hasArea(page) || page.panels.empty())
        return 0;
    const std::vector<Box> boxes = normalisedPanels(page);
    const auto coordinates = [](const Box &b) {
        return std::array<double, 6>{b.x0, (b.x0 + b.x1) / 2, b.x1, b.y0, (b.y0 + b.y1) / 2, b.y1};
    };
    double sum = 0;
    for (size_t i = 0; i < boxes.size(); ++i) {
        const auto mine = coordinates(boxes[i]);
        double nearest = 1; // a lone panel: as LayoutGAN++ masks it, scoring 0 below
        for (size_t j = 0; j < boxes.size(); ++j) {
            if (j == i)
                continue;
            const auto theirs = coordinates(boxes[j]);
            for (size_t c = 0; c < 6; ++c)
                nearest = std::min(nearest, std::abs(mine[c] - theirs[c]));
        }
        sum += nearest < 1 ? -std::log1p(-nearest) : 0;
    }
    return sum / double(boxes.size());
}

double meanOverlap(const std::vector<Page> &pages) { return meanOver(pages, false, pageOverlap); }
double meanCoverage(const std::vector<Page> &pages) { return meanOver(pages, false, pageCoverage); }
double meanAlignment(const std::vector<Page> &pages) { return meanOver(pages, true, pageAlignment); }

double orderConsistency(const std::vector<Page> &pages, ReadingDirection direction)
{
    int counted = 0, settled = 0;
    for (const Page &page : pages) {
        if (!hasArea(page) || page.panels.size() < 2)
            continue;
        OrderOptions options;
        options.direction = direction;
        options.spread = page.spread;
        ++counted;
        settled += orderIsWellDefined(panelBoxes(page), page.width, options);
    }
    return counted ? double(settled) / counted : 0;
}

double panelFrechetDistance(const std::vector<Page> &generated, const std::vector<Page> &reference)
{
    const std::vector<Features> a = panelFeatures(generated), b = panelFeatures(reference);
    if (a.size() < 2 || b.size() < 2)
        return std::numeric_limits<double>::quiet_NaN();
    const auto fit = [](const std::vector<Features> &x, Features &mean, Covariance &covariance) {
        mean.setZero();
        for (const Features &f : x)
            mean += f;
        mean /= double(x.size());
        covariance.setZero();
        for (const Features &f : x)
            covariance += (f - mean) * (f - mean).transpose();
        covariance /= double(x.size() - 1);
    };
    Features meanA, meanB;
    Covariance covA, covB;
    fit(a, meanA, covA);
    fit(b, meanB, covB);
    // tr((Σ₁Σ₂)^½) = tr((Σ₁^½ Σ₂ Σ₁^½)^½), whose argument is symmetric.
    const Covariance rootA = symmetricSqrt(covA);
    Covariance middle = rootA * covB * rootA;
    middle = (middle + middle.transpose()) / 2;
    const double distance =
        (meanA - meanB).squaredNorm() + covA.trace() + covB.trace() - 2 * symmetricSqrt(middle).trace();
    return std::max(distance, 0.0);
}

LayoutMetrics layoutMetrics(const std::vector<Page> &generated, const std::vector<int> &requested,
                            const std::vector<Page> &reference, ReadingDirection direction)
{
    LayoutMetrics m;
    m.pages = int(generated.size());
    m.countAccuracy = panelCountAccuracy(generated, requested);
    m.overlap = meanOverlap(generated);
    m.coverage = meanCoverage(generated);
    m.alignment = meanAlignment(generated);
    m.orderConsistency = orderConsistency(generated, direction);
    m.frechet = panelFrechetDistance(generated, reference);
    m.countHistogram = panelCountHistogram(generated);
    return m;
}

} // namespace sculpt
