import CLlama

/// Hands memory freed by an unloaded model back to the system.
///
/// glibc raises its mmap threshold after a large block is freed, so later large allocations
/// (KV caches, compute buffers of the next model) come from the heap, and freeing them leaves
/// the heap's pages resident: without a trim, each model swap left about 30 MiB behind.
public enum MemoryRelease {
    public static func trim() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }
}
