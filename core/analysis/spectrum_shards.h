#pragma once
// A model's spectra split for a cluster's job array: the matrices dealt into N shards of about
// equal cost, one array task each, every task writing a workspace part of its own. Each task
// deals the shards itself, so the deal depends on nothing but the matrices' names and shapes:
// the same model and N give the same shards on every machine.

#include "model/inventory.h"

#include <string>
#include <vector>

namespace sculpt {

// Shard `index` of `count`, counted from 1 as a user counts them.
struct ShardSpec {
    int index = 1;
    int count = 1;
};

struct NamedMatrix {
    std::string name;
    MatrixShape shape;
};

struct SpectrumShard {
    std::vector<std::string> matrices; // in the order dealt, the costliest first
    double cost = 0;                   // Σ spectrumCost
};

// What an exact spectrum of the matrix costs, m·n·min(m, n): the Gram product's flops, which
// dominate. A whole number below 2^53 for any real matrix, so sums of costs are exact and
// cannot round differently on another machine.
double spectrumCost(const MatrixShape &shape);

// `count` shards, greedily: the costliest matrix first (equal costs in name order), each onto
// the shard with the least cost so far (the first of equals). No shard then costs more than
// the mean plus the costliest matrix; with more shards than matrices the last ones are empty.
// Throws std::invalid_argument when count < 1.
std::vector<SpectrumShard> dealShards(std::vector<NamedMatrix> matrices, int count);

// Shard `spec.index` of that deal, without making room for shards no matrix reaches (a count
// far above the matrices' is no cost): one past the matrices' count is empty. Throws
// std::invalid_argument unless 1 ≤ index ≤ count.
SpectrumShard shardOf(std::vector<NamedMatrix> matrices, ShardSpec spec);

} // namespace sculpt
