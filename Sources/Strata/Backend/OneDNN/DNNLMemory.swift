import Foundation
import CDNNL

/// Tensor elements in a oneDNN memory format other than plain row-major (e.g. the
/// channel-blocked `nChw16c` its convolutions prefer), kept as a tensor's storage until
/// plain elements are asked for.
final class DNNLBlockedData: OpaqueData, @unchecked Sendable {
    let descriptor: dnnl_memory_desc_t
    let buffer: UnsafeMutableRawPointer
    private let byteCount: Int

    /// An uninitialised buffer of the size `descriptor` needs.
    init(descriptor: dnnl_memory_desc_t) {
        self.descriptor = descriptor
        byteCount = DNNL.size(descriptor)
        buffer = BufferPool.allocate(byteCount)
    }

    deinit { BufferPool.release(buffer, byteCount: byteCount) }

    func materialize(into target: UnsafeMutableRawPointer) {
        DNNLMemory.reorder(from: descriptor, buffer, to: DNNL.plain(DNNL.dimensions(descriptor)), target)
    }
}

/// Tensor data as oneDNN arguments: zero-copy where a tensor already holds the wanted
/// format, a reorder where it does not, and results left in the primitive's format.
enum DNNLMemory {
    /// Data for one argument and whatever keeps it alive until the primitive has run.
    struct Argument {
        let descriptor: dnnl_memory_desc_t
        let pointer: UnsafeMutableRawPointer
        let owner: AnyObject?
    }

    /// The format the tensor's elements are in now: its blocked format when it holds one
    /// with exactly these `dims` (same element count as the tensor), else plain `dims`.
    static func natural(_ tensor: Tensor, dims: [Int]) -> Argument {
        if let blocked = tensor.opaqueData as? DNNLBlockedData, DNNL.dimensions(blocked.descriptor) == dims {
            return Argument(descriptor: blocked.descriptor, pointer: blocked.buffer, owner: blocked)
        }
        let dense = tensor.dense()
        return Argument(descriptor: DNNL.plain(dims), pointer: dense.storage.pointer + dense.offset * dense.dtype.size, owner: dense.storage)
    }

    /// The tensor's elements in `descriptor`'s format (whose dims hold as many elements):
    /// no copy when they already are, else reordered into a new buffer.
    static func view(_ tensor: Tensor, as descriptor: dnnl_memory_desc_t) -> Argument {
        let current = natural(tensor, dims: DNNL.dimensions(descriptor))
        if DNNL.equal(current.descriptor, descriptor) { return current }
        let converted = reordered(current, to: descriptor)
        return Argument(descriptor: descriptor, pointer: converted.buffer, owner: converted)
    }

    /// A new buffer holding `current`'s elements in `descriptor`'s format.
    private static func reordered(_ current: Argument, to descriptor: dnnl_memory_desc_t) -> DNNLBlockedData {
        let converted = DNNLBlockedData(descriptor: descriptor)
        reorder(from: current.descriptor, current.pointer, to: descriptor, converted.buffer)
        withExtendedLifetime(current.owner) {}
        return converted
    }

    /// `view` for a tensor read unchanged call after call (a layer's weight): the reordered
    /// copy stays with the tensor's storage — memory the size of the tensor — until its
    /// elements change or a read in another format replaces it, so later calls read it
    /// without a reorder.
    static func keptView(_ tensor: Tensor, as descriptor: dnnl_memory_desc_t) -> Argument {
        guard tensor.isContiguous else { return view(tensor, as: descriptor) }
        let current = natural(tensor, dims: DNNL.dimensions(descriptor))
        guard !DNNL.equal(current.descriptor, descriptor) else { return current }
        let copy = tensor.storage.keptCopy(for: KeptLayout(format: DNNLFormatKey(descriptor), offset: tensor.offset)) {
            reordered(current, to: descriptor)
        }
        return Argument(descriptor: descriptor, pointer: copy.buffer, owner: copy)
    }

    /// What a kept copy holds: the elements from `offset` on, in `format` (which has the dims).
    private struct KeptLayout: Hashable {
        let format: DNNLFormatKey
        let offset: Int
    }

    /// `tensor` when it already holds `descriptor`'s format (or that format is plain), else a
    /// new tensor of its shape holding its elements reordered into it: one reorder for a plain
    /// tensor that several primitives read in the same blocked format.
    static func converted(_ tensor: Tensor, to descriptor: dnnl_memory_desc_t) -> Tensor {
        guard let blocked = view(tensor, as: descriptor).owner as? DNNLBlockedData,
              blocked !== tensor.opaqueData else { return tensor }
        return holding(blocked, shape: tensor.shape)
    }

    /// A contiguous tensor of `shape` whose elements are, for now, `blocked`'s.
    private static func holding(_ blocked: DNNLBlockedData, shape: [Int]) -> Tensor {
        let storage = TensorStorage(opaque: blocked, byteCount: Shape.count(shape) * MemoryLayout<Float>.size)
        return Tensor(storage: storage, shape: shape, strides: Shape.contiguousStrides(shape))
    }

    /// A new tensor of `shape` whose elements a primitive will write in `descriptor`'s
    /// format: a plain tensor when that format is plain, else one with blocked storage.
    static func output(shape: [Int], _ descriptor: dnnl_memory_desc_t) -> (Tensor, Argument) {
        if DNNL.equal(descriptor, DNNL.plain(DNNL.dimensions(descriptor))) {
            let tensor = Tensor(uninitializedShape: shape)
            return (tensor, Argument(descriptor: descriptor, pointer: tensor.storage.pointer, owner: tensor.storage))
        }
        let blocked = DNNLBlockedData(descriptor: descriptor)
        return (holding(blocked, shape: shape), Argument(descriptor: descriptor, pointer: blocked.buffer, owner: blocked))
    }

    private static let reorders = DNNLCache<[DNNLFormatKey], DNNLPrimitive>()

    /// Copies elements between two formats of the same dims (cached reorder primitives).
    static func reorder(from source: dnnl_memory_desc_t, _ sourcePointer: UnsafeMutableRawPointer,
                        to target: dnnl_memory_desc_t, _ targetPointer: UnsafeMutableRawPointer) {
        guard let primitive = reorders.value(for: [DNNLFormatKey(source), DNNLFormatKey(target)], {
            DNNLPrimitive(reorderFrom: source, to: target)
        }) else {
            BackendFailure.record(.backendFailure(op: "oneDNN", message: "no reorder between two formats of dims \(DNNL.dimensions(source))"))
            return
        }
        DNNLContext.shared.execute(primitive, [(DNNL_ARG_FROM, source, sourcePointer), (DNNL_ARG_TO, target, targetPointer)])
    }
}

/// A memory format as a dictionary key (its descriptor's bytes). The descriptor is several
/// hundred bytes and every primitive lookup hashes a few of them, so the hash is computed once
/// from the whole buffer and equality compares the bytes with `memcmp`.
struct DNNLFormatKey: Hashable, @unchecked Sendable {
    private let bytes: [UInt8]
    private let digest: Int

    init(_ descriptor: dnnl_memory_desc_t) {
        var copy = descriptor
        bytes = withUnsafeBytes(of: &copy) { Array($0) }
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        digest = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    static func == (a: DNNLFormatKey, b: DNNLFormatKey) -> Bool {
        a.digest == b.digest && a.bytes.count == b.bytes.count
            && a.bytes.withUnsafeBytes { x in b.bytes.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }
}
