import Foundation

/// Reads whole files with POSIX calls. Foundation's `FileManager.contents(atPath:)` leaks a
/// 4 KiB buffer on every empty file on Linux (found by fuzzing the STL-10 reader: resident
/// memory grew without bound); every file reader of Strata goes through here instead.
enum FileBytes {
    /// The file's bytes, or `nil` when it cannot be opened or read (as `contents(atPath:)`).
    static func contents(atPath path: String) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR else { return nil }
        // the size from fstat is a hint (0 for /proc files): read on until end of file
        var data = Data(count: Swift.max(Int(status.st_size), 0))
        var filled = 0
        while true {
            if filled == data.count {
                var probe: UInt8 = 0
                let count = read(descriptor, &probe, 1)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { return nil }
                if count == 0 { return data }
                data.append(probe)
                data.count += Swift.max(data.count, 1 << 16)
                filled += 1
                continue
            }
            let count = data.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 {
                data.count = filled
                return data
            }
            filled += count
        }
    }
}
