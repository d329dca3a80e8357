#include "runtime/compute_threads.h"

#include <ATen/Parallel.h>

#include <dlfcn.h>

namespace sculpt {

void setComputeThreads(int threads)
{
    at::set_num_threads(threads);
    // Found among the libraries already loaded (LibTorch's), whatever scope they were loaded in;
    // a BLAS other than OpenBLAS has no such function and nothing is done.
    for (const char *library : {"libopenblas.so.0", "libblas.so.3"}) {
        void *handle = ::dlopen(library, RTLD_LAZY | RTLD_NOLOAD);
        if (!handle)
            continue;
        const auto set = reinterpret_cast<void (*)(int)>(::dlsym(handle, "openblas_set_num_threads"));
        if (set)
            set(threads);
        ::dlclose(handle);
    }
}

} // namespace sculpt
