import Foundation

/// The IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed): a big-endian
/// magic `0x0000TTNN` (TT = element type, NN = number of dimensions), the dimensions as
/// big-endian uint32, then the elements in row-major order.
public enum IDXFile {
    /// Reads an IDX file of unsigned bytes (images `N×rows×cols` or labels `N`).
    ///
    /// - Returns: the dimensions and the bytes.
    /// - Throws: `StrataError.io` when unreadable, `corruptFile` with the byte offset when
    ///   the magic, the element type or the size does not match.
    public static func read(contentsOf path: String) throws(StrataError) -> (dimensions: [Int], bytes: [UInt8]) {
        guard let raw = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        return try decode(raw, path: path)
    }

    /// Decodes IDX bytes (gzip-compressed or not); `path` names the source in errors.
    public static func decode(_ raw: Data, path: String = "<idx>") throws(StrataError) -> (dimensions: [Int], bytes: [UInt8]) {
        let data = Gzip.isCompressed(raw) ? try Gzip.decompress(raw, path: path) : raw
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> StrataError { .corruptFile(path: path, offset: offset, message: message) }
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw fail(0, "expected an IDX magic number 0x0000TTNN")
        }
        guard bytes[2] == 0x08 else {
            throw fail(2, "element type 0x\(String(bytes[2], radix: 16)) is not unsigned bytes (0x08)")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 && rank <= 4 else { throw fail(3, "\(rank) dimensions (expected 1 to 4)") }
        guard bytes.count >= 4 + 4 * rank else { throw fail(bytes.count, "file ends inside the \(rank) dimension sizes") }
        var dimensions: [Int] = []
        for axis in 0..<rank {
            let start = 4 + 4 * axis
            dimensions.append(Int(bytes[start]) << 24 | Int(bytes[start + 1]) << 16 | Int(bytes[start + 2]) << 8 | Int(bytes[start + 3]))
        }
        let header = 4 + 4 * rank
        var expected = 1
        for size in dimensions {
            let (product, overflow) = expected.multipliedReportingOverflow(by: size)
            guard !overflow, product <= bytes.count else {
                throw fail(4, "dimensions \(dimensions.map(String.init).joined(separator: "×")) need more bytes than the \(bytes.count) of the file")
            }
            expected = product
        }
        guard bytes.count - header == expected else {
            throw fail(header, "dimensions \(dimensions.map(String.init).joined(separator: "×")) need \(expected) bytes of data but \(bytes.count - header) follow")
        }
        return (dimensions, Array(bytes[header...]))
    }
}
