import Foundation

/// A value a restricted unpickler produces. Lists and dicts are shared boxes because
/// pickles fill them after creating them (`APPENDS`, `SETITEMS`) and refer back to them
/// through the memo.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer wider than 64 bits, as little-endian two's-complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A class or function named by `GLOBAL` that the unpickler admits.
    case global(PickleGlobal)
    /// A storage named by a persistent id (what `torch.save` writes instead of the bytes).
    case storage(PickleStorage)
    /// A tensor made by `torch._utils._rebuild_tensor_v2` from a storage.
    case tensor(PickledTensor)

    var integer: Int? { if case let .int(value) = self { return Int(exactly: value) }; return nil }
    var text: String? { if case let .string(value) = self { return value }; return nil }
    var elements: [PickleValue]? {
        switch self {
        case let .tuple(values): return values
        case let .list(list): return list.items
        default: return nil
        }
    }

    /// What the value is, for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case let .global(global): return global.qualifiedName
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

final class PickleList {
    var items: [PickleValue] = []
}

/// A dict in insertion order (Python's dicts and `OrderedDict`s keep it).
final class PickleDict {
    private(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var positions: [String: Int] = [:]

    func set(_ key: PickleValue, _ value: PickleValue) {
        if let name = key.text, let position = positions[name] {
            entries[position].value = value
            return
        }
        if let name = key.text { positions[name] = entries.count }
        entries.append((key, value))
    }

    func value(for name: String) -> PickleValue? { positions[name].map { entries[$0].value } }
}

/// The globals a state dict needs, and nothing that can run code.
enum PickleGlobal: String, CaseIterable {
    case orderedDict = "collections.OrderedDict"
    case rebuildTensorV2 = "torch._utils._rebuild_tensor_v2"
    case rebuildTensor = "torch._utils._rebuild_tensor"
    case rebuildParameter = "torch._utils._rebuild_parameter"
    case rebuildParameterWithState = "torch._utils._rebuild_parameter_with_state"
    case rebuildFromType = "torch._tensor._rebuild_from_type_v2"
    case tensorType = "torch.Tensor"
    case parameterType = "torch.nn.parameter.Parameter"
    case size = "torch.Size"
    case floatStorage = "torch.FloatStorage"
    case halfStorage = "torch.HalfStorage"
    case bfloat16Storage = "torch.BFloat16Storage"
    case doubleStorage = "torch.DoubleStorage"
    case longStorage = "torch.LongStorage"
    case intStorage = "torch.IntStorage"
    case shortStorage = "torch.ShortStorage"
    case charStorage = "torch.CharStorage"
    case byteStorage = "torch.ByteStorage"
    case boolStorage = "torch.BoolStorage"

    var qualifiedName: String { rawValue }

    /// The element type of a storage class, `nil` for the other globals.
    var storageType: TorchStorageType? {
        switch self {
        case .floatStorage: return .float32
        case .halfStorage: return .float16
        case .bfloat16Storage: return .bfloat16
        case .doubleStorage: return .float64
        case .longStorage: return .int64
        case .intStorage: return .int32
        case .shortStorage: return .int16
        case .charStorage: return .int8
        case .byteStorage: return .uint8
        case .boolStorage: return .bool
        default: return nil
        }
    }
}

/// Element types of PyTorch storages.
enum TorchStorageType: String, Sendable {
    case float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool

    var size: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    var isFloatingPoint: Bool { [.float32, .float16, .bfloat16, .float64].contains(self) }
}

/// A storage as a persistent id names it: its key in the file, element type and count,
/// and, for a view (legacy format), where it starts in its root storage.
struct PickleStorage {
    let key: String
    let type: TorchStorageType
    let count: Int
    let viewOffset: Int
}

/// A strided view of a storage, as `_rebuild_tensor_v2(storage, offset, size, stride, …)` describes it.
struct PickledTensor {
    let storage: PickleStorage
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}

/// A pickle reader that executes nothing: it knows the data opcodes of protocols 0–5
/// and only the globals of `PickleGlobal`; any other global (a pickle that would call
/// `os.system`, say) is refused with `StrataError.disallowedGlobal` naming it.
struct RestrictedUnpickler {
    private let bytes: [UInt8]
    private let path: String
    private(set) var position: Int
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// Reads one pickle starting at `start` (a file may hold several in a row).
    init(_ bytes: [UInt8], path: String, start: Int = 0) {
        self.bytes = bytes
        self.path = path
        position = start
    }

    private func fail(_ message: String, at offset: Int? = nil) -> StrataError {
        .corruptFile(path: path, offset: offset ?? position, message: "pickle: \(message)")
    }

    /// Runs the pickle to its `STOP` and returns the value it built.
    mutating func load() throws(StrataError) -> PickleValue {
        while true {
            let start = position
            let opcode = try byte()
            switch opcode {
            case 0x80: _ = try byte()                                             // PROTO
            case 0x95: _ = try take(8)                                            // FRAME
            case 0x2E:                                                            // STOP
                guard let result = stack.popLast(), stack.isEmpty else { throw fail("STOP with \(stack.count + 1) values on the stack", at: start) }
                return result
            case 0x28: marks.append(stack.count)                                  // MARK
            case 0x30: _ = try pop(start)                                         // POP
            case 0x31: _ = try popMark(start)                                     // POP_MARK
            case 0x32: stack.append(try peek(start))                              // DUP
            case 0x4E: stack.append(.none)                                        // NONE
            case 0x88: stack.append(.bool(true))                                  // NEWTRUE
            case 0x89: stack.append(.bool(false))                                 // NEWFALSE
            case 0x4B: stack.append(.int(Int64(try byte())))                      // BININT1
            case 0x4D: stack.append(.int(Int64(try unsigned(2))))                 // BININT2
            case 0x4A: stack.append(.int(Int64(Int32(truncatingIfNeeded: try unsigned(4)))))  // BININT
            case 0x8A: stack.append(try long(count: Int(try byte())))             // LONG1
            case 0x8B: stack.append(try long(count: try length(4)))               // LONG4
            case 0x49: stack.append(try textInteger(start))                       // INT
            case 0x4C: stack.append(try textInteger(start))                       // LONG
            case 0x47:                                                            // BINFLOAT (big-endian)
                let raw = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                stack.append(.float(Double(bitPattern: raw)))
            case 0x46:                                                            // FLOAT
                guard let value = Double(try line()) else { throw fail("FLOAT is not a number", at: start) }
                stack.append(.float(value))
            case 0x58: stack.append(.string(try utf8(try take(try length(4)))))   // BINUNICODE
            case 0x8C: stack.append(.string(try utf8(try take(Int(try byte()))))) // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try utf8(try take(try length(8)))))   // BINUNICODE8
            case 0x54: stack.append(.string(latin1(try take(try length(4)))))     // BINSTRING
            case 0x55: stack.append(.string(latin1(try take(Int(try byte())))))   // SHORT_BINSTRING
            case 0x53: stack.append(.string(try quoted(try line(), start)))       // STRING
            case 0x56: stack.append(.string(try line()))                          // UNICODE
            case 0x42: stack.append(.bytes(try take(try length(4))))              // BINBYTES
            case 0x43: stack.append(.bytes(try take(Int(try byte()))))           // SHORT_BINBYTES
            case 0x8E, 0x96: stack.append(.bytes(try take(try length(8))))        // BINBYTES8, BYTEARRAY8
            case 0x29: stack.append(.tuple([]))                                   // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark(start)))                   // TUPLE
            case 0x85, 0x86, 0x87:                                                // TUPLE1, 2, 3
                let count = Int(opcode - 0x84)
                guard stack.count - (marks.last ?? 0) >= count else { throw fail("TUPLE\(count) on a short stack", at: start) }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                stack.append(.tuple(items))
            case 0x5D: stack.append(.list(PickleList()))                          // EMPTY_LIST
            case 0x6C:                                                            // LIST
                let list = PickleList()
                list.items = try popMark(start)
                stack.append(.list(list))
            case 0x61:                                                            // APPEND
                let item = try pop(start)
                guard case let .list(list) = try peek(start) else { throw fail("APPEND to a non-list", at: start) }
                list.items.append(item)
            case 0x65:                                                            // APPENDS
                let items = try popMark(start)
                guard case let .list(list) = try peek(start) else { throw fail("APPENDS to a non-list", at: start) }
                list.items += items
            case 0x7D: stack.append(.dict(PickleDict()))                          // EMPTY_DICT
            case 0x64:                                                            // DICT
                let items = try popMark(start)
                let dict = PickleDict()
                try fill(dict, with: items, start)
                stack.append(.dict(dict))
            case 0x73:                                                            // SETITEM
                let value = try pop(start), key = try pop(start)
                guard case let .dict(dict) = try peek(start) else { throw fail("SETITEM on a non-dict", at: start) }
                dict.set(key, value)
            case 0x75:                                                            // SETITEMS
                let items = try popMark(start)
                guard case let .dict(dict) = try peek(start) else { throw fail("SETITEMS on a non-dict", at: start) }
                try fill(dict, with: items, start)
            case 0x71: memo[Int(try byte())] = try peek(start)                    // BINPUT
            case 0x72: memo[try length(4)] = try peek(start)                      // LONG_BINPUT
            case 0x70: memo[try textIndex(start)] = try peek(start)               // PUT
            case 0x94: memo[memo.count] = try peek(start)                         // MEMOIZE
            case 0x68: stack.append(try recall(Int(try byte()), start))           // BINGET
            case 0x6A: stack.append(try recall(try length(4), start))             // LONG_BINGET
            case 0x67: stack.append(try recall(try textIndex(start), start))      // GET
            case 0x63:                                                            // GLOBAL
                let module = try line(), name = try line()
                stack.append(.global(try admit(module, name, start)))
            case 0x93:                                                            // STACK_GLOBAL
                let name = try pop(start), module = try pop(start)
                guard let moduleName = module.text, let globalName = name.text else { throw fail("STACK_GLOBAL needs two strings", at: start) }
                stack.append(.global(try admit(moduleName, globalName, start)))
            case 0x52:                                                            // REDUCE
                let arguments = try pop(start), callable = try pop(start)
                guard case let .global(function) = callable, case let .tuple(values) = arguments else {
                    throw fail("REDUCE needs a global and an argument tuple, got \(callable.kind) and \(arguments.kind)", at: start)
                }
                stack.append(try call(function, values, start))
            case 0x81:                                                            // NEWOBJ
                let arguments = try pop(start), type = try pop(start)
                guard case let .global(function) = type, case let .tuple(values) = arguments else {
                    throw fail("NEWOBJ needs a class and an argument tuple", at: start)
                }
                stack.append(try call(function, values, start))
            case 0x92:                                                            // NEWOBJ_EX
                _ = try pop(start)
                let arguments = try pop(start), type = try pop(start)
                guard case let .global(function) = type, case let .tuple(values) = arguments else {
                    throw fail("NEWOBJ_EX needs a class and an argument tuple", at: start)
                }
                stack.append(try call(function, values, start))
            case 0x62:                                                            // BUILD: attributes (OrderedDict's _metadata) are not needed
                _ = try pop(start)
                _ = try peek(start)
            case 0x51:                                                            // BINPERSID
                stack.append(try persistent(try pop(start), start))
            case 0x50:                                                            // PERSID
                throw fail("text persistent ids (PERSID) are not used by torch.save", at: start)
            case 0x69:                                                            // INST: module, class by name
                let module = try line(), name = try line()
                throw .disallowedGlobal(path: path, offset: start, global: "\(module).\(name)")
            case 0x6F:                                                            // OBJ
                let items = try popMark(start)
                throw .disallowedGlobal(path: path, offset: start, global: items.first?.kind ?? "an object")
            default:
                throw fail(String(format: "opcode 0x%02X is not one a state dict uses", opcode), at: start)
            }
        }
    }

    // MARK: Reading bytes

    private mutating func byte() throws(StrataError) -> UInt8 {
        guard position < bytes.count else { throw fail("ends before STOP") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func take(_ count: Int) throws(StrataError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - position else {
            throw fail("needs \(count) bytes, \(bytes.count - position) remain")
        }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// A little-endian unsigned integer of `width` bytes.
    private mutating func unsigned(_ width: Int) throws(StrataError) -> UInt64 {
        try take(width).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A length field; lengths beyond the file are damage, not data.
    private mutating func length(_ width: Int) throws(StrataError) -> Int {
        let start = position
        let value = try unsigned(width)
        guard value <= UInt64(bytes.count) else { throw fail("length \(value) exceeds the file", at: start) }
        return Int(value)
    }

    private mutating func line() throws(StrataError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("line without an end") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private func utf8(_ raw: [UInt8]) throws(StrataError) -> String {
        guard let text = String(validating: raw, as: UTF8.self) else { throw fail("string is not UTF-8") }
        return text
    }

    private func latin1(_ raw: [UInt8]) -> String { String(raw.map { Character(Unicode.Scalar($0)) }) }

    private func quoted(_ text: String, _ start: Int) throws(StrataError) -> String {
        guard text.count >= 2, let first = text.first, first == text.last, first == "'" || first == "\"" else {
            throw fail("STRING is not quoted", at: start)
        }
        return String(text.dropFirst().dropLast())
    }

    private mutating func long(count: Int) throws(StrataError) -> PickleValue {
        let raw = try take(count)
        guard count <= 8 else { return .bigInt(raw) }
        guard !raw.isEmpty else { return .int(0) }
        var value = raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if raw.last! & 0x80 != 0 && count < 8 { value |= ~UInt64(0) << (8 * UInt64(count)) }
        return .int(Int64(bitPattern: value))
    }

    private mutating func textInteger(_ start: Int) throws(StrataError) -> PickleValue {
        var text = try line()
        if text == "00" { return .bool(false) }
        if text == "01" { return .bool(true) }
        if text.hasSuffix("L") { text.removeLast() }
        guard let value = Int64(text) else { throw fail("integer '\(text.prefix(20))' does not fit 64 bits", at: start) }
        return .int(value)
    }

    private mutating func textIndex(_ start: Int) throws(StrataError) -> Int {
        guard let index = Int(try line()), index >= 0 else { throw fail("memo index is not a number", at: start) }
        return index
    }

    // MARK: The stack

    /// The top value; values below the last MARK belong to an outer frame (as in Python's unpickler).
    private mutating func pop(_ start: Int) throws(StrataError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast() else { throw fail("pops an empty stack", at: start) }
        return value
    }

    private func peek(_ start: Int) throws(StrataError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw fail("reads an empty stack", at: start) }
        return value
    }

    private mutating func popMark(_ start: Int) throws(StrataError) -> [PickleValue] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no MARK to return to", at: start) }
        defer { stack.removeLast(stack.count - mark) }
        return Array(stack[mark...])
    }

    private func recall(_ index: Int, _ start: Int) throws(StrataError) -> PickleValue {
        guard let value = memo[index] else { throw fail("memo entry \(index) was never stored", at: start) }
        return value
    }

    private func fill(_ dict: PickleDict, with items: [PickleValue], _ start: Int) throws(StrataError) {
        guard items.count % 2 == 0 else { throw fail("odd number of dict items", at: start) }
        for index in stride(from: 0, to: items.count, by: 2) { dict.set(items[index], items[index + 1]) }
    }

    // MARK: Globals, calls and storages

    private func admit(_ module: String, _ name: String, _ start: Int) throws(StrataError) -> PickleGlobal {
        guard let global = PickleGlobal(rawValue: "\(module).\(name)") else {
            throw .disallowedGlobal(path: path, offset: start, global: "\(module).\(name)")
        }
        return global
    }

    /// What calling an admitted global gives; nothing here runs code from the file.
    private func call(_ function: PickleGlobal, _ arguments: [PickleValue], _ start: Int) throws(StrataError) -> PickleValue {
        switch function {
        case .orderedDict:
            let dict = PickleDict()
            if let pairs = arguments.first?.elements {
                for pair in pairs {
                    guard let items = pair.elements, items.count == 2 else { throw fail("OrderedDict needs (key, value) pairs", at: start) }
                    dict.set(items[0], items[1])
                }
            }
            return .dict(dict)
        case .rebuildTensorV2, .rebuildTensor:
            guard arguments.count >= 4, case let .storage(storage) = arguments[0], let offset = arguments[1].integer,
                  let shape = arguments[2].elements?.map(\.integer), let strides = arguments[3].elements?.map(\.integer),
                  shape.count == strides.count, !shape.contains(nil), !strides.contains(nil) else {
                throw fail("\(function.qualifiedName) needs (storage, offset, size, stride, …)", at: start)
            }
            return .tensor(try tensor(storage, offset: offset, shape: shape.map { $0! }, strides: strides.map { $0! }, start))
        case .rebuildParameter, .rebuildParameterWithState:
            guard let data = arguments.first, case .tensor = data else { throw fail("\(function.qualifiedName) needs a tensor", at: start) }
            return data
        case .rebuildFromType:
            // _rebuild_from_type_v2(func, new_type, args, state): func(*args), type and state dropped
            guard arguments.count >= 3, case let .global(inner) = arguments[0], let innerArguments = arguments[2].elements,
                  inner != .rebuildFromType else {
                throw fail("_rebuild_from_type_v2 needs (function, type, arguments, state)", at: start)
            }
            return try call(inner, innerArguments, start)
        case .size:
            return .tuple(arguments.first?.elements ?? [])
        default:
            throw fail("\(function.qualifiedName) is a type, not something to call", at: start)
        }
    }

    /// `('storage', type, key, location, count[, (view key, offset, view count)])`.
    private func persistent(_ identifier: PickleValue, _ start: Int) throws(StrataError) -> PickleValue {
        guard case let .tuple(fields) = identifier, fields.count >= 5, fields[0].text == "storage",
              case let .global(type) = fields[1], let storageType = type.storageType, let count = fields[4].integer, count >= 0 else {
            throw fail("persistent id is not ('storage', type, key, location, count)", at: start)
        }
        let key: String
        if let text = fields[2].text { key = text } else if let number = fields[2].integer { key = String(number) } else {
            throw fail("storage key is neither a string nor a number", at: start)
        }
        var offset = 0, size = count
        if fields.count >= 6, let view = fields[5].elements {
            guard view.count == 3, let viewOffset = view[1].integer, let viewSize = view[2].integer, viewOffset >= 0, viewSize >= 0,
                  viewOffset <= count, viewSize <= count - viewOffset else {
                throw fail("storage view lies outside its storage", at: start)
            }
            (offset, size) = (viewOffset, viewSize)
        }
        return .storage(PickleStorage(key: key, type: storageType, count: size, viewOffset: offset))
    }

    private func tensor(_ storage: PickleStorage, offset: Int, shape: [Int], strides: [Int], _ start: Int) throws(StrataError) -> PickledTensor {
        guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor with a negative offset, size or stride", at: start)
        }
        var elements = 1, last = offset
        for size in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail("tensor of size \(shape) overflows", at: start) }
            elements = product
        }
        // the last element read, for a non-empty tensor
        for (size, stride) in zip(shape, strides) where elements > 0 {
            guard (size - 1) <= (Int.max - last) / Swift.max(stride, 1) else { throw fail("tensor of size \(shape) overflows", at: start) }
            last += (size - 1) * stride
        }
        guard elements == 0 || last < storage.count else {
            throw fail("tensor of size \(shape), stride \(strides), offset \(offset) reads past its storage of \(storage.count) elements", at: start)
        }
        return PickledTensor(storage: storage, offset: offset, shape: shape, strides: strides)
    }
}
