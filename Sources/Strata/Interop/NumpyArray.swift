import Foundation

/// NumPy `.npy` files (format versions 1.0–3.0): little-endian `<f4`, `<f8`, `<i8`, `<i4`,
/// `|u1`, `|b1` (and `|i1`) arrays in C order. Floats load as float32 tensors, integers
/// and booleans as int64 tensors.
public enum NumpyArray {
    /// Reads the array in `path`.
    ///
    /// - Throws: `StrataError.io` when the file cannot be read, `corruptFile` (with the
    ///   byte offset) when its bytes are not a valid `.npy` of a supported type.
    public static func read(contentsOf path: String) throws(StrataError) -> Tensor {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        return try decode(data, path: path)
    }

    /// Decodes `.npy` bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<npy>") throws(StrataError) -> Tensor {
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> StrataError { .corruptFile(path: path, offset: offset, message: message) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw fail(0, "expected the .npy magic \\x93NUMPY")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail(8, "file ends inside the header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail(6, "unsupported .npy format version \(major).\(bytes[7]) (expected 1, 2 or 3)")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw fail(headerStart, "header of \(headerLength) bytes runs past the end of the file (\(bytes.count) bytes)")
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .isoLatin1) else {
            throw fail(headerStart, "header is not text")
        }
        let descr = try headerValue(header, key: "descr", at: headerStart, path: path)
        let fortran = try headerValue(header, key: "fortran_order", at: headerStart, path: path)
        let shapeText = try headerValue(header, key: "shape", at: headerStart, path: path)
        guard fortran.hasPrefix("False") else { throw fail(headerStart, "Fortran-ordered arrays are not supported (fortran_order: True)") }
        let shape = try parseShape(shapeText, at: headerStart, path: path)
        let dataStart = headerStart + headerLength
        let quoted = descr.split(separator: "'", omittingEmptySubsequences: false)
        let type = quoted.count >= 3 ? String(quoted[1]) : descr
        let elementSizes = ["<f4": 4, "<f8": 8, "<i8": 8, "<i4": 4, "|u1": 1, "|b1": 1, "|i1": 1, "<u1": 1]
        guard let elementSize = elementSizes[type] else {
            throw fail(headerStart, "unsupported dtype \(type) (expected one of <f4, <f8, <i8, <i4, |u1, |b1)")
        }
        let (count, overflow) = shape.reduce((1, false)) { partial, size in
            let (product, flag) = partial.0.multipliedReportingOverflow(by: size)
            return (product, partial.1 || flag)
        }
        guard !overflow, count <= (bytes.count - dataStart) / elementSize else {
            let needed = count.multipliedReportingOverflow(by: elementSize)
            let described = overflow || needed.overflow ? "more than Int.max" : String(needed.partialValue)
            throw fail(dataStart, "shape \(Shape.describe(shape)) of \(type) needs \(described) bytes of data but \(bytes.count - dataStart) follow the header")
        }
        return bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            switch type {
            case "<f4":
                let tensor = Tensor(uninitializedShape: shape)
                tensor.withMutableFloats { elements in
                    for i in 0..<count { elements[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
                }
                return tensor
            case "<f8":
                let tensor = Tensor(uninitializedShape: shape)
                tensor.withMutableFloats { elements in
                    for i in 0..<count { elements[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
                }
                return tensor
            default:
                let tensor = Tensor(uninitializedShape: shape, dtype: .int64)
                tensor.withMutableInt64s { elements in
                    for i in 0..<count {
                        switch type {
                        case "<i8": elements[i] = Int64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
                        case "<i4": elements[i] = Int64(Int32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
                        case "|i1": elements[i] = Int64(base.load(fromByteOffset: i, as: Int8.self))
                        default: elements[i] = Int64(base.load(fromByteOffset: i, as: UInt8.self))
                        }
                    }
                }
                return tensor
            }
        }
    }

    /// Encodes a tensor as `.npy` version 1.0 (`<f4` or `<i8`, C order).
    public static func encode(_ tensor: Tensor) -> Data {
        let source = tensor.dense()
        let descr = tensor.dtype == .float32 ? "<f4" : "<i8"
        let shapeText = tensor.rank == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // pad with spaces so the data starts on a multiple of 64 bytes, ending in a newline
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        source.withBytes { data.append(Data(bytes: $0, count: tensor.count * tensor.dtype.size)) }
        return data
    }

    /// Writes a tensor to `path` as `.npy`, atomically (temporary file, then rename).
    public static func write(_ tensor: Tensor, to path: String) throws(StrataError) {
        try AtomicFile.write(encode(tensor), to: path)
    }

    private static func headerValue(_ header: String, key: String, at offset: Int, path: String) throws(StrataError) -> String {
        guard let range = header.range(of: "'\(key)':") else {
            throw .corruptFile(path: path, offset: offset, message: "header has no '\(key)' entry: \(header.prefix(120))")
        }
        return String(header[range.upperBound...]).trimmingCharacters(in: .whitespaces)
    }

    private static func parseShape(_ text: String, at offset: Int, path: String) throws(StrataError) -> [Int] {
        guard text.hasPrefix("("), let close = text.firstIndex(of: ")") else {
            throw .corruptFile(path: path, offset: offset, message: "shape is not a tuple: \(text.prefix(40))")
        }
        let inside = text[text.index(after: text.startIndex)..<close]
        var shape: [Int] = []
        for part in inside.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let size = Int(trimmed), size >= 0 else {
                throw .corruptFile(path: path, offset: offset, message: "shape entry '\(trimmed)' is not a size")
            }
            shape.append(size)
        }
        return shape
    }
}
