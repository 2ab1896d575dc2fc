import Foundation

/// PyTorch `.pth`/`.pt` files saved by `torch.save(model.state_dict(), path)`, read
/// without running pickle code (see `RestrictedUnpickler`):
/// - the zip format (PyTorch ≥ 1.6): `NAME/data.pkl` holds the pickle, `NAME/data/KEY`
///   each storage's raw bytes, `NAME/byteorder` their byte order;
/// - the legacy format: five pickles in a row (magic number, protocol 1001, system info,
///   the object, the storage keys), then per key an int64 element count and the bytes.
///
/// The tensors of a state dict come back by name in the file's order: floating-point
/// storages (float32, float16, bfloat16, float64) as float32, integer and boolean ones as
/// int64. A checkpoint wrapping its state dict (`{"state_dict": …}`, `{"model": …}`, …)
/// is unwrapped, and DataParallel's `module.` prefix dropped.
public enum TorchCheckpoint {
    /// The keys under which training scripts commonly nest a model's state dict.
    static let wrapperKeys = ["state_dict", "model_state_dict", "model", "net", "network", "state"]

    /// Reads every tensor of a `.pth` file.
    ///
    /// - Throws: `StrataError.io` when unreadable; `corruptFile` with the byte offset when
    ///   the zip structure, a pickle or a storage does not match the format;
    ///   `disallowedGlobal` naming the global of a pickle that would run code.
    public static func read(contentsOf path: String) throws(StrataError) -> [(String, Tensor)] {
        guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the file") }
        return try decode(data, path: path)
    }

    /// Decodes the bytes of a `.pth` file (zip or legacy format, by its first bytes).
    public static func decode(_ data: Data, path: String = "<pth>") throws(StrataError) -> [(String, Tensor)] {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try decodeZip(data, path: path) }
        if bytes.starts(with: [0x80]) { return try decodeLegacy(bytes, path: path) }
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) {
            throw .corruptFile(path: path, offset: 257, message: "a tar-format file of PyTorch before 0.4; load and save it again with a recent PyTorch")
        }
        throw .corruptFile(path: path, offset: 0, message: "not a PyTorch file: neither a zip archive (PK) nor a pickle (0x80)")
    }

    private static func decodeZip(_ data: Data, path: String) throws(StrataError) -> [(String, Tensor)] {
        let entries = try ZipArchive.entries(data, path: path)
        guard let pickleEntry = entries.first(where: { $0.0 == "data.pkl" || $0.0.hasSuffix("/data.pkl") }) else {
            throw .corruptFile(path: path, offset: 0, message: "zip archive without data.pkl: not a file written by torch.save")
        }
        let root = String(pickleEntry.0.dropLast("data.pkl".count))
        var files: [String: Data] = [:]
        for (name, contents) in entries where name.hasPrefix(root) { files[String(name.dropFirst(root.count))] = contents }
        let bigEndian = files["byteorder"].map { String(decoding: $0, as: UTF8.self) } == "big"
        var unpickler = RestrictedUnpickler([UInt8](pickleEntry.1), path: "\(path):\(pickleEntry.0)")
        let object = try unpickler.load()
        return try tensors(of: object, path: path) { storage throws(StrataError) in
            guard let contents = files["data/\(storage.key)"] else {
                throw .corruptFile(path: path, offset: 0, message: "storage \(storage.key) is missing (no \(root)data/\(storage.key))")
            }
            return (contents, bigEndian)
        }
    }

    /// The magic number the legacy format starts with (a pickled int).
    private static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    private static func decodeLegacy(_ bytes: [UInt8], path: String) throws(StrataError) -> [(String, Tensor)] {
        // magic number, protocol version, system info, the object, the storage keys
        var objects: [PickleValue] = []
        var position = 0
        for index in 0..<5 {
            var unpickler = RestrictedUnpickler(bytes, path: path, start: position)
            objects.append(try unpickler.load())
            position = unpickler.position
            if index == 0, case let .bigInt(magic) = objects[0], magic == legacyMagic { continue }
            if index == 0 {
                throw .corruptFile(path: path, offset: 0, message: "a pickle, but not a PyTorch file (no legacy magic number); Strata reads state dicts saved by torch.save")
            }
            if index == 1, objects[1].integer != 1001 {
                throw .corruptFile(path: path, offset: position, message: "legacy PyTorch file of protocol \(objects[1].kind) (expected 1001)")
            }
        }
        if case let .dict(info) = objects[2], case .bool(false)? = info.value(for: "little_endian") {
            throw .corruptFile(path: path, offset: 0, message: "saved on a big-endian machine; load and save it again on a little-endian one")
        }
        guard let listed = objects[4].elements else {
            throw .corruptFile(path: path, offset: position, message: "the storage key list is a \(objects[4].kind), not a list")
        }
        let keys = listed.compactMap(\.text)
        guard keys.count == listed.count else {
            throw .corruptFile(path: path, offset: position, message: "the storage key list holds something other than strings")
        }
        // then each storage in that order: int64 element count, the bytes
        let referenced = storages(in: objects[3])
        var sections: [String: Range<Int>] = [:]
        for key in keys {
            guard position <= bytes.count - 8 else {
                throw .corruptFile(path: path, offset: position, message: "ends before the bytes of storage \(key)")
            }
            let count = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[position + $1]) << (8 * UInt64($1)) }
            position += 8
            guard let type = referenced[key]?.type else {
                throw .corruptFile(path: path, offset: position, message: "storage \(key) is listed but no tensor uses it")
            }
            guard count <= UInt64(bytes.count - position) / UInt64(type.size) else {
                throw .corruptFile(path: path, offset: position, message: "storage \(key) claims \(count) elements; the file has \(bytes.count - position) bytes left")
            }
            sections[key] = position..<(position + Int(count) * type.size)
            position += Int(count) * type.size
        }
        return try tensors(of: objects[3], path: path) { storage throws(StrataError) in
            guard let section = sections[storage.key] else {
                throw .corruptFile(path: path, offset: position, message: "storage \(storage.key) has no bytes in the file")
            }
            return (Data(bytes[section]), false)
        }
    }

    /// Every storage a value refers to, by key (the root storages of views).
    private static func storages(in value: PickleValue) -> [String: PickleStorage] {
        var found: [String: PickleStorage] = [:]
        var pending = [value]
        while let next = pending.popLast() {
            switch next {
            case let .tensor(tensor): found[tensor.storage.key] = tensor.storage
            case let .storage(storage): found[storage.key] = storage
            case let .tuple(values): pending += values
            case let .list(list): pending += list.items
            case let .dict(dict): pending += dict.entries.map(\.value)
            default: break
            }
        }
        return found
    }

    /// The state dict inside the unpickled object, as Strata tensors.
    private static func tensors(of object: PickleValue, path: String,
                                storage: (PickleStorage) throws(StrataError) -> (Data, Bool)) throws(StrataError) -> [(String, Tensor)] {
        guard case var .dict(dict) = object else {
            throw .corruptFile(path: path, offset: 0, message: "holds a \(object.kind), not a state dict (save model.state_dict(), not the model)")
        }
        if !dict.entries.contains(where: { if case .tensor = $0.value { return true }; return false }),
           let key = wrapperKeys.first(where: { if case .dict = dict.value(for: $0) { return true }; return false }),
           case let .dict(inner)? = dict.value(for: key) {
            dict = inner
        }
        var result: [(String, Tensor)] = []
        var cache: [String: (Data, Bool)] = [:]
        for (key, value) in dict.entries {
            guard case let .tensor(pickled) = value else { continue }
            guard let name = key.text else {
                throw .corruptFile(path: path, offset: 0, message: "a state-dict key is a \(key.kind), not a string")
            }
            let rootKey = pickled.storage.key
            if cache[rootKey] == nil { cache[rootKey] = try storage(pickled.storage) }
            let (bytes, bigEndian) = cache[rootKey]!
            result.append((name, try tensor(pickled, bytes: bytes, bigEndian: bigEndian, name: name, path: path)))
        }
        guard !result.isEmpty else {
            let keys = dict.entries.compactMap(\.key.text).prefix(8).joined(separator: ", ")
            throw .corruptFile(path: path, offset: 0, message: "no tensors in the file's dict (keys: \(keys)); expected a state dict or {\"state_dict\": …}")
        }
        let prefix = "module."
        if result.allSatisfy({ $0.0.hasPrefix(prefix) }) {
            result = result.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
        }
        return result
    }

    /// Gathers a strided view of storage bytes into a contiguous float32 or int64 tensor.
    private static func tensor(_ pickled: PickledTensor, bytes: Data, bigEndian: Bool, name: String,
                               path: String) throws(StrataError) -> Tensor {
        let type = pickled.storage.type
        let needed = (pickled.storage.viewOffset + pickled.storage.count) * type.size
        guard bytes.count >= needed else {
            throw .corruptFile(path: path, offset: 0, message: "storage \(pickled.storage.key) of '\(name)' has \(bytes.count) bytes; its tensors need \(needed)")
        }
        do { try Shape.validate(pickled.shape, op: "pth reader") } catch {
            throw .corruptFile(path: path, offset: 0, message: "'\(name)': \(error.message)")
        }
        let result = Tensor(uninitializedShape: pickled.shape, dtype: type.isFloatingPoint ? .float32 : .int64)
        let count = result.count
        let strides = pickled.strides, shape = pickled.shape
        let base = pickled.storage.viewOffset + pickled.offset
        result.withMutableBytes { elements in bytes.withUnsafeBytes { raw in
            func put(_ value: Float, _ flat: Int) { elements.storeBytes(of: value, toByteOffset: flat * 4, as: Float.self) }
            func put(_ value: Int64, _ flat: Int) { elements.storeBytes(of: value, toByteOffset: flat * 8, as: Int64.self) }
            var index = [Int](repeating: 0, count: shape.count)
            for flat in 0..<count {
                var element = base
                for axis in 0..<shape.count { element += index[axis] * strides[axis] }
                let at = element * type.size
                func word<T: FixedWidthInteger>(_: T.Type) -> T {
                    let value = raw.loadUnaligned(fromByteOffset: at, as: T.self)
                    return bigEndian ? T(bigEndian: value) : T(littleEndian: value)
                }
                switch type {
                case .float32: put(Float(bitPattern: word(UInt32.self)), flat)
                case .float16: put(Float(Float16(bitPattern: word(UInt16.self))), flat)
                case .bfloat16: put(Float(bitPattern: UInt32(word(UInt16.self)) << 16), flat)
                case .float64: put(Float(Double(bitPattern: word(UInt64.self))), flat)
                case .int64: put(Int64(bitPattern: word(UInt64.self)), flat)
                case .int32: put(Int64(Int32(bitPattern: word(UInt32.self))), flat)
                case .int16: put(Int64(Int16(bitPattern: word(UInt16.self))), flat)
                case .int8: put(Int64(Int8(bitPattern: word(UInt8.self))), flat)
                case .uint8, .bool: put(Int64(word(UInt8.self)), flat)
                }
                // next index in row-major order
                var axis = shape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < shape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        } }
        return result
    }
}
