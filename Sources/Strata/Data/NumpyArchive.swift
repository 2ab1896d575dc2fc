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
        guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, message: "cannot read the file") }
        var arrays: [String: Tensor] = [:]
        for (name, bytes) in try ZipArchive.entries(data, path: path) where name.hasSuffix(".npy") {
            arrays[String(name.dropLast(4))] = try NumpyArray.decode(bytes, path: "\(path):\(name)")
        }
        return arrays
    }
}

/// Reading ZIP archives through their central directory (stored and deflated entries).
enum ZipArchive {
    static func entries(_ data: Data, path: String) throws(StrataError) -> [(String, Data)] {
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> StrataError { .corruptFile(path: path, offset: offset, message: message) }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        // the end-of-central-directory record is within the last 65,557 bytes
        guard bytes.count >= 22, let end = stride(from: bytes.count - 22, through: Swift.max(0, bytes.count - 65_557), by: -1)
            .first(where: { u32($0) == 0x0605_4B50 }) else {
            throw fail(bytes.count, "no ZIP end-of-central-directory record")
        }
        let count = u16(end + 10), directory = u32(end + 16)
        var offset = directory
        var result: [(String, Data)] = []
        for _ in 0..<count {
            guard offset + 46 <= bytes.count, u32(offset) == 0x0201_4B50 else { throw fail(offset, "expected a central-directory entry") }
            let method = u16(offset + 10), compressed = u32(offset + 20), uncompressed = u32(offset + 24)
            let nameLength = u16(offset + 28), extraLength = u16(offset + 30), commentLength = u16(offset + 32)
            let local = u32(offset + 42)
            guard offset + 46 + nameLength <= bytes.count else { throw fail(offset, "entry name runs past the end") }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4B50 else { throw fail(local, "expected a local header for \(name)") }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            guard dataStart + compressed <= bytes.count else { throw fail(dataStart, "\(name) runs past the end") }
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
