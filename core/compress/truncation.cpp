#include "compress/truncation.h"

#include <stdexcept>

namespace sculpt {

Basis weightedBasis(const torch::Tensor &weight, const Weighting &weighting)
{
    torch::NoGradGuard noGrad;
    torch::Tensor m = weight.detach().to(torch::kFloat64);
    const torch::Tensor rows = weighting.rows.defined() ? weighting.rows.to(torch::kFloat64) : torch::Tensor();
    const torch::Tensor input = weighting.input.defined() ? weighting.input.to(torch::kFloat64) : torch::Tensor();
    if (rows.defined())
        m = m * rows.unsqueeze(1);
    if (input.defined())
        m = input.dim() == 1 ? m * input : torch::matmul(m, input);
    auto [u, sigma, vt] = torch::linalg::svd(m, /*full_matrices=*/false, c10::nullopt);
    if (rows.defined())
        u = u / rows.unsqueeze(1);
    if (input.defined()) {
        // B = Vᵀ·T⁻¹, i.e. Bᵀ solves Tᵀ·Bᵀ = V with Tᵀ upper-triangular.
        vt = input.dim() == 1 ? vt / input
                              : torch::linalg::solve_triangular(input.t(), vt.t(), /*upper=*/true, true, false).t();
    }
    const auto f32 = [&](const torch::Tensor &t) { return t.to(torch::kFloat32).contiguous(); };
    return {f32(u), f32(sigma), f32(vt)};
}

Truncation truncate(const torch::Tensor &weight, int64_t rank, const Weighting &weighting)
{
    const Basis basis = weightedBasis(weight, weighting);
    if (rank < 0 || rank > basis.singularValues.size(0))
        throw std::invalid_argument("rank " + std::to_string(rank) + " is outside 0 … " +
                                    std::to_string(basis.singularValues.size(0)));
    const torch::Tensor sigma = basis.singularValues.narrow(0, 0, rank);
    Truncation t;
    t.factors = {(basis.left.narrow(1, 0, rank) * sigma).contiguous(), basis.right.narrow(0, 0, rank).contiguous()};
    const torch::Tensor all = basis.singularValues.contiguous();
    t.singularValues.assign(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
    return t;
}

} // namespace sculpt
