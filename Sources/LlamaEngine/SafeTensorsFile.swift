import Foundation

/// A `.safetensors` file mapped into memory: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the data. Nothing is copied: the
/// tensors are read where they lie in the mapping, which lives as long as this value.
final class SafeTensorsFile: @unchecked Sendable {
    // Sound: the mapping is read-only and never changes after init; deinit unmaps it once.
    struct Entry {
        let dtype: String
        let shape: [Int]
        /// Byte offset from ``base``.
        let offset: Int
        let count: Int
    }

    let base: UnsafeMutableRawPointer
    let size: Int
    let entries: [String: Entry]

    init(path: String) throws(EmbeddingError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .badModel("cannot open \(path)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 8 else { throw .badModel("\(path) is empty") }
        size = Int(status.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw .badModel("cannot map \(path)")
        }
        base = mapped
        let headerLength = Int(mapped.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength > 0, 8 + headerLength <= size,
            let header = try? JSONSerialization.jsonObject(with: Data(bytes: mapped + 8, count: headerLength)) as? [String: Any]
        else {
            munmap(mapped, size)
            throw .badModel("\(path) has no readable safetensors header")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String, let shape = info["shape"] as? [Int],
                let range = info["data_offsets"] as? [Int], range.count == 2, range[0] <= range[1], 8 + headerLength + range[1] <= size
            else { continue }
            entries[name] = Entry(dtype: dtype, shape: shape, offset: 8 + headerLength + range[0], count: range[1] - range[0])
        }
        self.entries = entries
    }

    deinit { munmap(base, size) }
}
