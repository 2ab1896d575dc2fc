import CZlib
import Foundation

/// NumPy `.npz` archives: a ZIP file of `.npy` arrays (stored by `np.savez`, deflated by
/// `np.savez_compressed`).
public enum NumpyArchive {
    /// Every array of the archive by name (without `.npy`).
    ///
    /// - Throws: `StrataError.io` when unreadable, `corruptFile` with the byte offset when
    ///   the ZIP structure or an array does not match its format.
    public static func read(contentsOf path: String) throws(StrataError) -> [String: Tensor] {
        guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the file") }
        var arrays: [String: Tensor] = [:]
        for (name, bytes) in try ZipArchive.entries(data, path: path) where name.hasSuffix(".npy") {
            arrays[String(name.dropLast(4))] = try NumpyArray.decode(bytes, path: "\(path):\(name)")
        }
        return arrays
    }
}

/// Reading ZIP archives through their central directory (stored and deflated entries,
/// ZIP64 sizes and offsets as PyTorch writes them for large files).
public enum ZipArchive {
    public static func entries(_ data: Data, path: String) throws(StrataError) -> [(String, Data)] {
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> StrataError { .corruptFile(path: path, offset: offset, message: message) }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func u64(_ o: Int) -> Int { let high = u32(o + 4); return high >= 1 << 30 ? Int.max : u32(o) | high << 32 }
        // the end-of-central-directory record is within the last 65,557 bytes
        guard bytes.count >= 22, let end = stride(from: bytes.count - 22, through: Swift.max(0, bytes.count - 65_557), by: -1)
            .first(where: { u32($0) == 0x0605_4B50 }) else {
            throw fail(bytes.count, "no ZIP end-of-central-directory record")
        }
        var count = u16(end + 10), directory = u32(end + 16)
        if count == 0xFFFF || directory == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the 64-bit end record
            guard end >= 20, u32(end - 20) == 0x0706_4B50 else { throw fail(end, "ZIP64 archive without its locator") }
            let record = u64(end - 12)
            guard record <= bytes.count - 56, u32(record) == 0x0606_4B50 else { throw fail(end - 12, "ZIP64 end record missing") }
            (count, directory) = (u64(record + 32), u64(record + 48))
        }
        guard count <= bytes.count / 46 else { throw fail(end + 10, "\(count) entries cannot fit in \(bytes.count) bytes") }
        var offset = directory
        var result: [(String, Data)] = []
        for _ in 0..<count {
            guard offset >= 0, offset <= bytes.count - 46, u32(offset) == 0x0201_4B50 else { throw fail(offset, "expected a central-directory entry") }
            let method = u16(offset + 10)
            var compressed = u32(offset + 20), uncompressed = u32(offset + 24)
            let nameLength = u16(offset + 28), extraLength = u16(offset + 30), commentLength = u16(offset + 32)
            var local = u32(offset + 42)
            guard offset + 46 + nameLength + extraLength <= bytes.count else { throw fail(offset, "entry name runs past the end") }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            // ZIP64 extra field: 64-bit values for the fields that read 0xFFFFFFFF, in this order
            var extra = offset + 46 + nameLength
            while extra + 4 <= offset + 46 + nameLength + extraLength {
                let (tag, size) = (u16(extra), u16(extra + 2))
                if tag == 1 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + size { uncompressed = u64(field); field += 8 }
                    if compressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + size { compressed = u64(field); field += 8 }
                    if local == 0xFFFF_FFFF, field + 8 <= extra + 4 + size { local = u64(field) }
                }
                extra += 4 + size
            }
            guard local >= 0, local <= bytes.count - 30, u32(local) == 0x0403_4B50 else { throw fail(Swift.min(local, bytes.count), "expected a local header for \(name)") }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            guard compressed >= 0, dataStart <= bytes.count, compressed <= bytes.count - dataStart else { throw fail(dataStart, "\(name) runs past the end") }
            let raw = Data(bytes[dataStart..<(dataStart + compressed)])
            switch method {
            case 0: result.append((name, raw))
            case 8: result.append((name, try inflateRaw(raw, expected: uncompressed, path: path, offset: dataStart)))
            default: throw fail(offset + 10, "\(name) uses compression method \(method) (only stored 0 and deflate 8 are read)")
            }
            offset += 46 + nameLength + extraLength + commentLength
        }
        return result
    }

    /// Raw DEFLATE data (no zlib or gzip header) of a known uncompressed size.
    private static func inflateRaw(_ data: Data, expected: Int, path: String, offset: Int) throws(StrataError) -> Data {
        // DEFLATE cannot expand more than 1032:1; a larger claimed size is a damaged header
        guard expected <= data.count * 1032 + 64 else {
            throw .corruptFile(path: path, offset: offset, message: "entry claims \(expected) bytes from \(data.count) compressed")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptFile(path: path, offset: offset, message: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Swift.max(expected, 1))
        var input = [UInt8](data)
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target -> Int32 in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expected else {
            throw .corruptFile(path: path, offset: offset, message: "deflated entry is damaged (zlib status \(status))")
        }
        return Data(output.prefix(expected))
    }
}
