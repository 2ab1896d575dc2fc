import Foundation

/// Turns ONNX `TensorProto`s (initializers, `Constant` values) into tensors: float, double
/// and float16 as float32; int64, int32, int8/16, uint8/16 and bool as int64. The bytes
/// come from the typed fields, `raw_data` (little-endian) or an external data file next to
/// the model (`location`, `offset`, `length`).
///
/// A file's numbers are checked before anything is allocated: element counts against the
/// bytes actually present, so a small or corrupt file cannot make Strata allocate more
/// than it holds.
struct ONNXTensorData {
    /// The model file, named in errors; external data is looked up in its folder.
    let modelPath: String

    /// The tensor a proto holds, or a typed error naming it.
    func tensor(_ proto: Onnx_TensorProto) throws(StrataError) -> Tensor {
        let what = "tensor '\(proto.name)'"
        var shape: [Int] = []
        var count = 1
        for dim in proto.dims {
            guard dim >= 0, dim <= Int64(Int32.max) else { throw corrupt("\(what) has dimension \(dim)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= Int(Int32.max) else { throw corrupt("\(what) has \(proto.dims) elements, too many") }
            shape.append(Int(dim))
            count = product
        }
        guard let type = ElementType(rawValue: proto.dataType) else {
            throw .invalidArgument(op: "onnx import", message: "\(what) has data type \(proto.dataType) (\(ElementType.describe(proto.dataType))); supported: float, double, float16, int8/16/32/64, uint8/16/32/64, bool")
        }
        if proto.dataLocation == .external {
            return try Self.decode(try externalBytes(proto, expected: count * type.size), type: type, count: count, shape: shape)
        }
        if !proto.rawData.isEmpty || count == 0 {
            guard proto.rawData.count == count * type.size else {
                throw corrupt("\(what) of shape \(Shape.describe(shape)) needs \(count * type.size) bytes of \(type) but raw_data has \(proto.rawData.count)")
            }
            return try Self.decode(proto.rawData, type: type, count: count, shape: shape)
        }
        return try typedFields(proto, type: type, count: count, shape: shape)
    }

    /// Values stored in the proto's typed repeated fields (`float_data`, `int64_data`, …).
    private func typedFields(_ proto: Onnx_TensorProto, type: ElementType, count: Int, shape: [Int]) throws(StrataError) -> Tensor {
        let stored: Int
        switch type {
        case .float: stored = proto.floatData.count
        case .double: stored = proto.doubleData.count
        case .int64: stored = proto.int64Data.count
        case .int32, .int16, .int8, .uint8, .uint16, .bool, .float16: stored = proto.int32Data.count
        case .uint32, .uint64: stored = proto.uint64Data.count
        }
        guard stored == count else {
            throw corrupt("tensor '\(proto.name)' of shape \(Shape.describe(shape)) needs \(count) values but holds \(stored)")
        }
        switch type {
        case .float: return try Tensor(proto.floatData, shape: shape)
        case .double: return try Tensor(proto.doubleData.map { Float($0) }, shape: shape)
        case .float16: return try Tensor(proto.int32Data.map { Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0))) }, shape: shape)
        case .int64: return try Self.integers(proto.int64Data, shape: shape)
        case .uint32, .uint64: return try Self.integers(proto.uint64Data.map { Int64(bitPattern: $0) }, shape: shape)
        default: return try Self.integers(proto.int32Data.map(Int64.init), shape: shape)
        }
    }

    /// Reads `expected` bytes of an external data file: relative to the model's folder and
    /// inside it (no absolute paths or `..`), within the file's size.
    private func externalBytes(_ proto: Onnx_TensorProto, expected: Int) throws(StrataError) -> Data {
        var entries: [String: String] = [:]
        for entry in proto.externalData { entries[entry.key] = entry.value }
        guard let location = entries["location"], !location.isEmpty else {
            throw corrupt("tensor '\(proto.name)' is stored externally but names no location")
        }
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else {
            throw .invalidArgument(op: "onnx import", message: "tensor '\(proto.name)': external data location '\(location)' must be a path inside the model's folder")
        }
        let offset = Int(entries["offset"] ?? "0") ?? -1
        let length = entries["length"].map { Int($0) ?? -1 } ?? expected
        guard offset >= 0, length == expected else {
            throw corrupt("tensor '\(proto.name)': external data offset \(entries["offset"] ?? "0") and length \(entries["length"] ?? "–") do not give the \(expected) bytes its shape needs")
        }
        let folder = URL(fileURLWithPath: modelPath).deletingLastPathComponent()
        let path = folder.appendingPathComponent(location).path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .io(path: path, message: "cannot read the external data of tensor '\(proto.name)' (named by \(modelPath))")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        guard offset <= size, length <= size - offset else {
            throw .corruptFile(path: path, offset: offset, message: "tensor '\(proto.name)' needs bytes \(offset)..<\(offset + length) but the file has \(size)")
        }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            guard data.count == length else { throw StrataError.io(path: path, message: "short read") }
            return data
        } catch {
            throw .io(path: path, message: "cannot read \(length) bytes at offset \(offset) for tensor '\(proto.name)'")
        }
    }

    private func corrupt(_ message: String) -> StrataError {
        .corruptFile(path: modelPath, offset: 0, message: message)
    }

    /// Little-endian bytes of `count` elements as a float32 or int64 tensor.
    private static func decode(_ data: Data, type: ElementType, count: Int, shape: [Int]) throws(StrataError) -> Tensor {
        let bytes = [UInt8](data)
        func load<T: FixedWidthInteger>(_: T.Type, _ index: Int) -> T {
            var value: T = 0
            for byte in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[index * MemoryLayout<T>.size + byte]) << (8 * byte) }
            return value
        }
        switch type {
        case .double: return try Tensor((0..<count).map { Float(Double(bitPattern: load(UInt64.self, $0))) }, shape: shape)
        case .float16: return try Tensor((0..<count).map { Float(Float16(bitPattern: load(UInt16.self, $0))) }, shape: shape)
        case .int32: return try integers((0..<count).map { Int64(Int32(bitPattern: load(UInt32.self, $0))) }, shape: shape)
        case .int16: return try integers((0..<count).map { Int64(Int16(bitPattern: load(UInt16.self, $0))) }, shape: shape)
        case .uint16: return try integers((0..<count).map { Int64(load(UInt16.self, $0)) }, shape: shape)
        case .uint32: return try integers((0..<count).map { Int64(load(UInt32.self, $0)) }, shape: shape)
        case .uint64: return try integers((0..<count).map { Int64(bitPattern: load(UInt64.self, $0)) }, shape: shape)
        case .int8: return try integers(bytes.map { Int64(Int8(bitPattern: $0)) }, shape: shape)
        case .uint8, .bool: return try integers(bytes.map { Int64($0) }, shape: shape)
        case .float: return copied(data, as: .float32, shape: shape)
        case .int64: return copied(data, as: .int64, shape: shape)
        }
    }

    /// A tensor whose elements are these bytes as they are (float32 or int64, little-endian).
    private static func copied(_ data: Data, as dtype: DType, shape: [Int]) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape, dtype: dtype)
        tensor.withMutableBytes { target in
            data.withUnsafeBytes { source in
                if let base = source.baseAddress { target.copyMemory(from: base, byteCount: source.count) }
            }
        }
        return tensor
    }

    /// An int64 tensor of these values.
    static func integers(_ values: [Int64], shape: [Int]) throws(StrataError) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape, dtype: .int64)
        guard values.count == tensor.count else {
            throw .shapeMismatch(op: "onnx import", message: "\(values.count) values do not fill shape \(Shape.describe(shape))")
        }
        tensor.withMutableInt64s { pointer in for (index, value) in values.enumerated() { pointer[index] = value } }
        return tensor
    }

    /// The element types Strata reads, by `TensorProto.DataType` number.
    enum ElementType: Int32, CaseIterable, CustomStringConvertible {
        case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, bool = 9, float16 = 10, double = 11
        case uint32 = 12, uint64 = 13

        var size: Int {
            switch self {
            case .uint8, .int8, .bool: return 1
            case .uint16, .int16, .float16: return 2
            case .float, .int32, .uint32: return 4
            case .int64, .double, .uint64: return 8
            }
        }

        var description: String { String(describing: Onnx_TensorProto.DataType(rawValue: Int(rawValue)) ?? .undefined) }

        static func describe(_ code: Int32) -> String {
            Onnx_TensorProto.DataType(rawValue: Int(code)).map { String(describing: $0) } ?? "unknown"
        }
    }
}
