import Foundation

/// Numeric arrays from MATLAB level-5 MAT-files (the format of SVHN's `*_32x32.mat`),
/// compressed (`miCOMPRESSED`, zlib) or not; little-endian files only.
public enum MATFile {
    /// One variable: MATLAB dimensions (column-major) and its elements as stored.
    public struct Array: Sendable {
        public let dimensions: [Int]
        /// The MATLAB element type code (`miUINT8` = 2, `miDOUBLE` = 9, …).
        public let elementType: Int
        /// The elements' bytes, little-endian, column-major.
        public let bytes: [UInt8]

        public var count: Int { dimensions.reduce(1, *) }

        /// The elements as `Double`s.
        public var doubles: [Double] {
            let size = MATFile.elementSizes[elementType] ?? 1
            return (0..<(bytes.count / size)).map { MATFile.element(bytes, at: $0 * size, type: elementType) }
        }
    }

    static let elementSizes = [1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8]

    static func element(_ bytes: [UInt8], at offset: Int, type: Int) -> Double {
        func integer(_ size: Int) -> UInt64 { (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) } }
        switch type {
        case 1: return Double(Int8(bitPattern: bytes[offset]))
        case 2: return Double(bytes[offset])
        case 3: return Double(Int16(truncatingIfNeeded: integer(2)))
        case 4: return Double(UInt16(truncatingIfNeeded: integer(2)))
        case 5: return Double(Int32(truncatingIfNeeded: integer(4)))
        case 6: return Double(UInt32(truncatingIfNeeded: integer(4)))
        case 7: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: integer(4))))
        case 9: return Double(bitPattern: integer(8))
        case 12: return Double(Int64(bitPattern: integer(8)))
        default: return Double(integer(8))
        }
    }

    /// Every numeric variable of a MAT-file by name.
    ///
    /// - Throws: `StrataError.io` when unreadable, `corruptFile` with the byte offset when
    ///   the header or an element does not match the format.
    public static func read(contentsOf path: String) throws(StrataError) -> [String: Array] {
        guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the file") }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "<mat>") throws(StrataError) -> [String: Array] {
        let bytes = [UInt8](data)
        guard bytes.count >= 128 else { throw .corruptFile(path: path, offset: 0, message: "shorter than the 128-byte MAT header") }
        guard bytes[126] == UInt8(ascii: "I"), bytes[127] == UInt8(ascii: "M") else {
            throw .corruptFile(path: path, offset: 126, message: "not a little-endian level-5 MAT-file (endian mark 'IM')")
        }
        var variables: [String: Array] = [:]
        try elements(bytes, from: 128, to: bytes.count, path: path, base: 0, into: &variables)
        return variables
    }

    private static func uint32(_ bytes: [UInt8], _ offset: Int) -> Int {
        Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }

    /// Reads a data element's tag at `offset`: (type, size, start of data, end incl. padding).
    private static func tag(_ bytes: [UInt8], _ offset: Int, limit: Int, path: String, base: Int) throws(StrataError) -> (Int, Int, Int, Int) {
        guard offset + 8 <= limit else { throw .corruptFile(path: path, offset: base + offset, message: "element tag runs past the end") }
        let first = uint32(bytes, offset)
        if first >> 16 != 0 {
            // small data element: type and size in one word, data in the next four bytes
            guard first >> 16 <= 4 else {
                throw .corruptFile(path: path, offset: base + offset, message: "small data element claims \(first >> 16) bytes (at most 4)")
            }
            return (first & 0xFFFF, first >> 16, offset + 4, offset + 8)
        }
        let size = uint32(bytes, offset + 4)
        let end = offset + 8 + (size + 7) / 8 * 8
        guard offset + 8 + size <= limit else {
            throw .corruptFile(path: path, offset: base + offset, message: "element of \(size) bytes runs past the end")
        }
        return (first, size, offset + 8, Swift.min(end, limit))
    }

    private static func elements(_ bytes: [UInt8], from start: Int, to limit: Int, path: String, base: Int,
                                 into variables: inout [String: Array]) throws(StrataError) {
        var offset = start
        while offset + 8 <= limit {
            let (type, size, dataStart, next) = try tag(bytes, offset, limit: limit, path: path, base: base)
            if type == 15 {
                let inflated = [UInt8](try Gzip.decompress(Data(bytes[dataStart..<(dataStart + size)]), path: path))
                try elements(inflated, from: 0, to: inflated.count, path: path, base: base + dataStart, into: &variables)
            } else if type == 14 {
                if let (name, array) = try matrix(bytes, dataStart, dataStart + size, path: path, base: base) {
                    variables[name] = array
                }
            }
            offset = next
        }
    }

    /// A numeric `miMATRIX` (`nil` for cells, structs and other classes).
    private static func matrix(_ bytes: [UInt8], _ start: Int, _ end: Int, path: String, base: Int) throws(StrataError) -> (String, Array)? {
        var offset = start
        var parts: [(type: Int, data: ArraySlice<UInt8>)] = []
        while offset + 8 <= end && parts.count < 4 {
            let (type, size, dataStart, next) = try tag(bytes, offset, limit: end, path: path, base: base)
            parts.append((type, bytes[dataStart..<(dataStart + size)]))
            offset = next
        }
        guard parts.count == 4, parts[0].data.count >= 8 else { return nil }
        let arrayClass = Int(parts[0].data[parts[0].data.startIndex])
        guard (4...15).contains(arrayClass), arrayClass != 5 else { return nil }   // numeric classes (not char/sparse)
        let dims = stride(from: parts[1].data.startIndex, to: parts[1].data.endIndex, by: 4).map { uint32(bytes, $0) }
        let name = String(decoding: parts[2].data, as: UTF8.self)
        let elementSize = elementSizes[parts[3].type] ?? 0
        let (total, overflow) = dims.reduce((elementSize, false)) { partial, size in
            let (product, flag) = partial.0.multipliedReportingOverflow(by: size)
            return (product, partial.1 || flag)
        }
        guard elementSize > 0, !overflow, total == parts[3].data.count else {
            throw .corruptFile(path: path, offset: base + start, message: "variable '\(name)': \(dims) elements of type \(parts[3].type) do not fill \(parts[3].data.count) bytes")
        }
        return (name, Array(dimensions: dims, elementType: parts[3].type, bytes: Swift.Array(parts[3].data)))
    }
}

/// SVHN's cropped digits (`train_32x32.mat`, `test_32x32.mat`): `X` is 32×32×3×N bytes
/// (MATLAB order), `y` the labels 1…10 with 10 standing for the digit 0.
public enum SVHNFile {
    /// Images `N×3×32×32` scaled to 0…1 and labels 0…9.
    public static func load(_ path: String) throws(StrataError) -> TensorDataset {
        let variables = try MATFile.read(contentsOf: path)
        guard let x = variables["X"], let y = variables["y"], x.dimensions.count == 4, x.dimensions[0] == 32,
              x.dimensions[1] == 32, x.dimensions[2] == 3, x.elementType == 2 else {
            throw .corruptFile(path: path, offset: 128, message: "expected variables X (32×32×3×N bytes) and y (N labels)")
        }
        let count = x.dimensions[3], labels = y.doubles
        guard labels.count == count else {
            throw .corruptFile(path: path, offset: 128, message: "\(labels.count) labels for \(count) images")
        }
        let inputs = Tensor(uninitializedShape: [count, 3, 32, 32])
        let bytes = x.bytes
        inputs.withMutableFloats { (values: UnsafeMutablePointer<Float>) in
            for n in 0..<count {
                for c in 0..<3 {
                    for column in 0..<32 {
                        for row in 0..<32 {
                            let source: Int = row + 32 * column + 1024 * c + 3072 * n
                            values[((n * 3 + c) * 32 + row) * 32 + column] = Float(bytes[source]) / 255
                        }
                    }
                }
            }
        }
        let digits = labels.map { Int($0) % 10 }
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: digits), classNames: (0...9).map(String.init))
    }
}
