#if canImport(CMalloc)
import CMalloc
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Allocator settings for `preview`, on top of `MemoryTuning`'s.
enum PreviewMemory {
    /// glibc gives memory back to the kernel whenever 128 KB at the top of a heap are free, and
    /// serves blocks over a size it adjusts (from 128 KB) with their own `mmap`. A preview frees and
    /// allocates a chunk's records (a few MB) every chunk, so the same pages went back and came again
    /// zeroed: `clear_page_erms` (the kernel zeroing pages) took 3–13 % of a 20k-record CSV preview's
    /// samples, about 1 % with these settings. Peak RSS is unchanged (what is kept is what the
    /// next chunk reuses); `MALLOC_TRIM_THRESHOLD_` and `MALLOC_MMAP_THRESHOLD_` in the environment
    /// still win.
    static func apply() {
        #if canImport(CMalloc) && canImport(Glibc)
        if getenv("MALLOC_TRIM_THRESHOLD_") == nil {
            _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
        }
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil {
            _ = mallopt(M_MMAP_THRESHOLD, 16 << 20)
        }
        #endif
    }
}
