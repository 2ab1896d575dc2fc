import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length `N`, `N`
/// bytes of JSON mapping names to `{dtype, shape, data_offsets}` (offsets relative to the
/// end of the header), then the raw little-endian tensor bytes. Floats (F32, F64, F16,
/// BF16) load as float32 tensors; integers and booleans as int64.
public enum Safetensors {
    /// Reads every tensor of a file, by name.
    ///
    /// - Throws: `StrataError.io` when the file cannot be read, `corruptFile` with the byte
    ///   offset when the header or a tensor's bytes do not match the format.
    public static func read(contentsOf path: String) throws(StrataError) -> [String: Tensor] {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        return try decode(data, path: path)
    }

    /// Reads every tensor of a file and its `__metadata__` strings.
    public static func readWithMetadata(contentsOf path: String) throws(StrataError) -> ([String: Tensor], [String: String]) {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        let tensors = try decode(data, path: path)
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let header = (try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + Int(length))))) as? [String: Any]
        return (tensors, header?["__metadata__"] as? [String: String] ?? [:])
    }

    /// Decodes safetensors bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<safetensors>") throws(StrataError) -> [String: Tensor] {
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> StrataError { .corruptFile(path: path, offset: offset, message: message) }
        guard bytes.count >= 8 else { throw fail(0, "file of \(bytes.count) bytes is shorter than the 8-byte header length") }
        let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail(0, "header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])) as? [String: Any] else {
                throw fail(8, "header is not a JSON object")
            }
            header = object
        } catch let error as StrataError {
            throw error
        } catch {
            throw fail(8, "header is not valid JSON: \(error.localizedDescription)")
        }
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail(8, "entry '\(name)' needs dtype, shape and data_offsets [begin, end]")
            }
            guard let size = elementSizes[dtype] else {
                throw fail(8, "entry '\(name)' has unsupported dtype \(dtype) (known: \(elementSizes.keys.sorted().joined(separator: ", ")))")
            }
            do { try Shape.validate(shape, op: "safetensors") } catch { throw fail(8, "entry '\(name)': \(error.message)") }
            let count = Shape.count(shape)
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= bytes.count - dataStart else {
                throw fail(dataStart + Swift.max(begin, 0), "entry '\(name)' spans bytes \(begin)..<\(end) of a data section of \(bytes.count - dataStart)")
            }
            guard end - begin == count * size else {
                throw fail(dataStart + begin, "entry '\(name)' of \(dtype) \(Shape.describe(shape)) needs \(count * size) bytes, its offsets give \(end - begin)")
            }
            tensors[name] = convert(bytes, at: dataStart + begin, dtype: dtype, shape: shape)
        }
        return tensors
    }

    private static let elementSizes = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                       "I8": 1, "U8": 1, "BOOL": 1]

    private static func convert(_ bytes: [UInt8], at start: Int, dtype: String, shape: [Int]) -> Tensor {
        let count = Shape.count(shape)
        return bytes.withUnsafeBytes { raw -> Tensor in
            let base = raw.baseAddress! + start
            func load<T: FixedWidthInteger>(_ index: Int, _ type: T.Type) -> T {
                T(littleEndian: base.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
            }
            switch dtype {
            case "F32", "F64", "F16", "BF16":
                let tensor = Tensor(uninitializedShape: shape)
                tensor.withMutableFloats { elements in
                    for i in 0..<count {
                        switch dtype {
                        case "F32": elements[i] = Float(bitPattern: load(i, UInt32.self))
                        case "F64": elements[i] = Float(Double(bitPattern: load(i, UInt64.self)))
                        case "F16": elements[i] = Float(Float16(bitPattern: load(i, UInt16.self)))
                        default: elements[i] = Float(bitPattern: UInt32(load(i, UInt16.self)) << 16)
                        }
                    }
                }
                return tensor
            default:
                let tensor = Tensor(uninitializedShape: shape, dtype: .int64)
                tensor.withMutableInt64s { elements in
                    for i in 0..<count {
                        switch dtype {
                        case "I64": elements[i] = load(i, Int64.self)
                        case "I32": elements[i] = Int64(load(i, Int32.self))
                        case "I16": elements[i] = Int64(load(i, Int16.self))
                        case "I8": elements[i] = Int64(load(i, Int8.self))
                        default: elements[i] = Int64(load(i, UInt8.self))
                        }
                    }
                }
                return tensor
            }
        }
    }

    /// Encodes named tensors (F32 or I64) in the given order, with optional string metadata.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:]) -> Data {
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        var payload = Data()
        for (name, tensor) in tensors {
            let byteCount = tensor.count * tensor.dtype.size
            let dtype = tensor.dtype == .float32 ? "F32" : "I64"
            entries.append("\(jsonString(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            tensor.dense().withBytes { payload.append(Data(bytes: $0, count: byteCount)) }
            offset += byteCount
        }
        var header = "{" + entries.joined(separator: ",") + "}"
        // pad with spaces so the data section starts 8-byte aligned
        header += String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(payload)
        return data
    }

    /// Writes named tensors to `path` atomically (temporary file, then rename).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:],
                             to path: String) throws(StrataError) {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }

    private static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}

/// Writes that never leave a half-written file: data goes to a temporary file in the same
/// folder, is flushed to disk (fsync) and renamed over the target.
public enum AtomicFile {
    /// Removes the temporary files of writes that never finished (a process killed while
    /// writing) from `folder`: hidden files named `.<target>.<pid>.tmp` whose process is gone.
    public static func removeLeftovers(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.dropLast(4).split(separator: ".")
            guard let pid = parts.last.flatMap({ Int32($0) }), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink((folder as NSString).appendingPathComponent(name))
        }
    }

    public static func write(_ data: Data, to path: String) throws(StrataError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw .io(path: path, message: "cannot create \(temporary.path): \(String(cString: strerror(errno)))")
        }
        var written = 0
        let failure: String? = data.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let result = Foundation.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 { return String(cString: strerror(errno)) }
                written += result
            }
            return fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
        }
        close(descriptor)
        if let failure {
            unlink(temporary.path)
            throw .io(path: path, message: "cannot write: \(failure)")
        }
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw .io(path: path, message: "cannot rename into place: \(reason)")
        }
    }
}
