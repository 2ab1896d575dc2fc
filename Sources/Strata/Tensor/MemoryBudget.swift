import Foundation

/// The most memory one operation may ask for: this machine's physical memory. An op whose
/// operands and result would not fit throws `StrataError.outOfMemory` before allocating,
/// instead of the process dying in the allocator (a convolution on a 10⁶-image batch is a
/// message, not a crash).
enum MemoryBudget {
    /// Physical memory in bytes.
    static let physicalBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && pageSize > 0 ? pages * pageSize : Int.max
    }()

    /// A tighter limit for the work done on this task (an import's constant folding, bounded
    /// by the size of the file that asks for it).
    @TaskLocal static var scopedLimit: Int?

    /// Throws when float tensors of `shapes` together would need more than physical memory
    /// (or the scoped limit).
    static func check(op: String, shapes: [[Int]], limit givenLimit: Int = physicalBytes) throws(StrataError) {
        let limit = Swift.min(givenLimit, scopedLimit ?? givenLimit)
        var total = 0
        for shape in shapes {
            var bytes = MemoryLayout<Float>.size
            for size in shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: Swift.max(size, 0))
                bytes = overflow ? Int.max : product
            }
            let (sum, overflow) = total.addingReportingOverflow(bytes)
            total = overflow ? Int.max : sum
        }
        if total > limit { throw .outOfMemory(op: op, requestedBytes: total, availableBytes: limit) }
    }
}

/// Byte counts for people: "1.5 GiB", "12.8 TiB".
enum ByteCount {
    static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
