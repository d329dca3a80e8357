#pragma once
// How many threads LibTorch computes with. Torch-free.

namespace sculpt {

// Sets LibTorch's intra-op threads and the pool of the BLAS its matrix products run in: Debian's
// LibTorch calls OpenBLAS, whose pthread build keeps a pool of its own, sized to the machine,
// that at::set_num_threads does not reach. Left alone it doubles the threads a "one thread"
// run uses and, on a busy machine, its spinning workers slowed training by half.
void setComputeThreads(int threads);

} // namespace sculpt
