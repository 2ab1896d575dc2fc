import CDNNL
import Foundation

/// The oneDNN engine and stream every primitive of the fast backend runs on.
///
/// Primitives execute one at a time (a lock around `execute`); each one uses oneDNN's
/// own OpenMP threads over every core.
final class DNNLContext: @unchecked Sendable {
    static let shared = DNNLContext()

    let engine: dnnl_engine_t
    private let stream: dnnl_stream_t
    private let lock = NSLock()

    private init() {
        var engine: dnnl_engine_t?
        var stream: dnnl_stream_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine,
              dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, let stream else {
            fatalError("oneDNN could not create a CPU engine; is libdnnl installed correctly?")
        }
        self.engine = engine
        self.stream = stream
        // Strata's own caches (`DNNLCache`, least recently used) decide which primitives
        // live; oneDNN's internal cache would keep another 1,024 of them alive beside those
        _ = dnnl_set_primitive_cache_capacity(0)
    }

    /// Runs `primitive` on arguments prepared by `DNNLMemory`, keeping their data alive.
    func execute(_ primitive: DNNLPrimitive, _ arguments: [(Int32, DNNLMemory.Argument)]) {
        execute(primitive, arguments.map { ($0.0, $0.1.descriptor, $0.1.pointer) })
        withExtendedLifetime(arguments.map(\.1.owner)) {}
    }

    /// Runs `primitive` with the given arguments: (oneDNN argument id, memory format, data).
    func execute(_ primitive: DNNLPrimitive, _ arguments: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)]) {
        withMemories(arguments) { execArguments in
            lock.withLock {
                DNNL.check(dnnl_primitive_execute(primitive.primitive, stream, Int32(execArguments.count), execArguments),
                           "execute \(primitive.kind)")
                DNNL.check(dnnl_stream_wait(stream), "stream wait")
            }
        }
    }

    /// Runs `primitive` on a stream of its own, beside other such calls on other threads:
    /// for primitives made for one thread with a user scratchpad (passed in `arguments`).
    func executeConcurrently(_ primitive: DNNLPrimitive, _ arguments: [(Int32, DNNLMemory.Argument)]) {
        defer { withExtendedLifetime(arguments.map(\.1.owner)) {} }
        var stream: dnnl_stream_t?
        let created = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue)
        DNNL.check(created, "stream create")
        guard created == dnnl_success else { return }
        defer { dnnl_stream_destroy(stream) }
        withMemories(arguments.map { ($0.0, $0.1.descriptor, $0.1.pointer) }) { execArguments in
            DNNL.check(dnnl_primitive_execute(primitive.primitive, stream, Int32(execArguments.count), execArguments),
                       "execute \(primitive.kind)")
            DNNL.check(dnnl_stream_wait(stream), "stream wait")
        }
    }

    /// oneDNN memory objects over the arguments' data for the duration of `body`; when one
    /// cannot be created the failure is recorded and `body` does not run.
    private func withMemories(_ arguments: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)],
                              _ body: ([dnnl_exec_arg_t]) -> Void) {
        var memories: [dnnl_memory_t?] = []
        memories.reserveCapacity(arguments.count)
        var execArguments: [dnnl_exec_arg_t] = []
        execArguments.reserveCapacity(arguments.count)
        defer { for memory in memories { dnnl_memory_destroy(memory) } }
        for (argument, descriptor, pointer) in arguments {
            var descriptor = descriptor
            var memory: dnnl_memory_t?
            let status = dnnl_memory_create(&memory, &descriptor, engine, pointer)
            DNNL.check(status, "memory create")
            guard status == dnnl_success else { return }
            memories.append(memory)
            execArguments.append(dnnl_exec_arg_t(arg: argument, memory: memory))
        }
        body(execArguments)
    }
}

/// Helpers around oneDNN's C API.
enum DNNL {
    /// Records a failed call (out of memory, or a case the fast backend's own checks should
    /// have ruled out) for the next throwing operation to report; see `BackendFailure`.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        if status != dnnl_success {
            let name = dnnl_status2str(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
            let advice = status == dnnl_out_of_memory ? "; use a smaller batch or input size" : ""
            BackendFailure.record(.backendFailure(op: "oneDNN", message: "\(what()) failed: \(name)\(advice)"))
        }
    }

    /// A float32 memory format of `dims` with the given tag (`dnnl_nchw`, `dnnl_format_tag_any`, …).
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var descriptor = dnnl_memory_desc_t()
        let sizes = dims.map { Int64($0) }
        check(dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), sizes, dnnl_f32, tag), "memory desc init")
        return descriptor
    }

    /// The plain row-major format for a tensor of `dims` (rank 1 to 5).
    static func plain(_ dims: [Int]) -> dnnl_memory_desc_t {
        let tags: [dnnl_format_tag_t] = [dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde]
        return descriptor(dims, tags[dims.count - 1])
    }

    /// The dims a memory format describes.
    static func dimensions(_ descriptor: dnnl_memory_desc_t) -> [Int] {
        var dims = descriptor.dims
        return withUnsafeBytes(of: &dims) { raw in
            (0..<Int(descriptor.ndims)).map { Int(raw.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    static func equal(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        var a = a, b = b
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    static func size(_ descriptor: dnnl_memory_desc_t) -> Int {
        var descriptor = descriptor
        return dnnl_memory_desc_get_size(&descriptor)
    }

    /// The format `descriptor` (of a part of a batch) for the whole `batch`, and the
    /// elements from one sample to the next; `nil` unless samples are its outermost,
    /// unblocked dim (as in `nChw16c`), so that a part is a pointer offset into the whole.
    static func batched(_ descriptor: dnnl_memory_desc_t, batch: Int) -> (descriptor: dnnl_memory_desc_t, sampleStride: Int)? {
        guard descriptor.format_kind == dnnl_blocked, descriptor.offset0 == 0 else { return nil }
        var result = descriptor
        var blocking = descriptor.format_desc.blocking
        let innerIndices = withUnsafeBytes(of: &blocking.inner_idxs) { raw in
            (0..<Int(blocking.inner_nblks)).map { raw.load(fromByteOffset: $0 * 8, as: Int64.self) }
        }
        let sampleStride = withUnsafeBytes(of: &blocking.strides) { Int($0.load(as: Int64.self)) }
        let samples = withUnsafeBytes(of: &result.padded_dims) { Int($0.load(as: Int64.self)) }
        guard !innerIndices.contains(0), sampleStride * samples * 4 == size(descriptor) else { return nil }
        withUnsafeMutableBytes(of: &result.dims) { $0.storeBytes(of: Int64(batch), as: Int64.self) }
        withUnsafeMutableBytes(of: &result.padded_dims) { $0.storeBytes(of: Int64(batch), as: Int64.self) }
        return (result, sampleStride)
    }

    /// Whether oneDNN runs its AVX-512 kernels here (not on AVX2-only machines, nor where
    /// `ONEDNN_MAX_CPU_ISA` caps it below).
    static let runsAVX512: Bool = {
        let avx512 = dnnl_cpu_isa_avx512_core.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & avx512 == avx512
    }()

    /// How many channels (dim 1) `descriptor`'s memory holds: more than its dims say where a
    /// blocked format pads them to a whole block (6 channels of `nChw8c` take 8 lanes, the
    /// last 2 zeros).
    static func paddedChannels(_ descriptor: dnnl_memory_desc_t) -> Int {
        var padded = descriptor.padded_dims
        return withUnsafeBytes(of: &padded) { Int($0.load(fromByteOffset: 8, as: Int64.self)) }
    }

    /// `descriptor` with `channels` as its dim 1 (at most `paddedChannels`), the layout
    /// unchanged: the same memory seen with or without its padding lanes as channels.
    static func withChannels(_ descriptor: dnnl_memory_desc_t, _ channels: Int) -> dnnl_memory_desc_t {
        var result = descriptor
        withUnsafeMutableBytes(of: &result.dims) { $0.storeBytes(of: Int64(channels), toByteOffset: 8, as: Int64.self) }
        return result
    }

    /// oneDNN's spatial parameters as its `dnnl_dims_t` arguments.
    static func dims(_ values: [Int]) -> [Int64] {
        values.map { Int64($0) } + [Int64](repeating: 0, count: 12 - values.count)
    }
}
