import CLlama

/// Hands memory freed by an unloaded model back to the system.
///
/// glibc's allocator keeps freed memory for reuse, and by default raises its thresholds after a
/// large block is freed: later large blocks then come from the heap, and the top of a thread's
/// heap is kept up to twice that size. Model loading and decoding run on threads of their own,
/// whose heaps (arenas) outlive them: each model swap left several MiB resident per arena,
/// growing with every model loaded (13 MiB per load of a 262k-token vocabulary).
public enum MemoryRelease {
    /// Fixes the allocator's thresholds (call once at start, before threads allocate): blocks of
    /// 1 MiB or more are mapped and unmapped on their own, and a heap's free top beyond 1 MiB is
    /// returned. Setting them also stops glibc from raising them. The decode loop allocates no
    /// large block per token, so this costs no speed.
    public static func configure() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 20)
        #endif
    }

    /// Returns free heap pages of every arena to the system (after an unload).
    public static func trim() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }
}
