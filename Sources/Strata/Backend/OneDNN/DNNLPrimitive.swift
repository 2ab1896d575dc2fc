import CDNNL
import Foundation

/// A created oneDNN primitive and its primitive descriptor (which knows the memory
/// formats it chose). Destroyed with the object.
final class DNNLPrimitive: @unchecked Sendable {
    let kind: String
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    /// Creates the primitive for an operation descriptor (`dnnl_convolution_desc_t`, …),
    /// or returns `nil` when oneDNN has no implementation for it. With `userScratchpad`,
    /// each execution passes its own scratch memory (`scratchpadSize` bytes), so the
    /// primitive can run on several threads at once.
    convenience init?<Descriptor>(_ kind: String, _ operation: Descriptor, hint: DNNLPrimitive? = nil,
                                  userScratchpad: Bool = false, postActivation: (dnnl_alg_kind_t, Float, Float)? = nil) {
        var operation = operation
        var attributes: dnnl_primitive_attr_t?
        if userScratchpad || postActivation != nil {
            guard dnnl_primitive_attr_create(&attributes) == dnnl_success else { return nil }
        }
        defer { if let attributes { dnnl_primitive_attr_destroy(attributes) } }
        if userScratchpad {
            _ = dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user)
        }
        // an element-wise function applied to the result in the same pass (oneDNN's post-op)
        if let (algorithm, alpha, beta) = postActivation {
            var postOps: dnnl_post_ops_t?
            guard dnnl_post_ops_create(&postOps) == dnnl_success else { return nil }
            defer { dnnl_post_ops_destroy(postOps) }
            guard dnnl_post_ops_append_eltwise(postOps, 1, algorithm, alpha, beta) == dnnl_success,
                  dnnl_primitive_attr_set_post_ops(attributes, postOps) == dnnl_success else { return nil }
        }
        var descriptor: dnnl_primitive_desc_t?
        let status = withUnsafePointer(to: &operation) { pointer in
            dnnl_primitive_desc_create(&descriptor, pointer, attributes, DNNLContext.shared.engine, hint?.descriptor)
        }
        guard status == dnnl_success, let descriptor else { return nil }
        self.init(kind, createdFrom: descriptor)
    }

    /// A reorder between two memory formats of the same tensor.
    convenience init?(reorderFrom source: dnnl_memory_desc_t, to target: dnnl_memory_desc_t) {
        var source = source, target = target
        var descriptor: dnnl_primitive_desc_t?
        let engine = DNNLContext.shared.engine
        guard dnnl_reorder_primitive_desc_create(&descriptor, &source, engine, &target, engine, nil) == dnnl_success,
              let descriptor else { return nil }
        self.init("reorder", createdFrom: descriptor)
    }

    /// Creates the primitive of a primitive descriptor, taking ownership of it.
    private init?(_ kind: String, createdFrom descriptor: dnnl_primitive_desc_t) {
        var primitive: dnnl_primitive_t?
        guard dnnl_primitive_create(&primitive, descriptor) == dnnl_success, let primitive else {
            dnnl_primitive_desc_destroy(descriptor)
            return nil
        }
        self.kind = kind
        self.descriptor = descriptor
        self.primitive = primitive
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The memory format the primitive chose for an argument (`dnnl_query_src_md`, …).
    func memoryDescriptor(_ query: dnnl_query_t, index: Int32 = 0) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(descriptor, query, index).pointee
    }

    /// Bytes of scratch memory an execution needs (with a user scratchpad).
    var scratchpadSize: Int { DNNL.size(memoryDescriptor(dnnl_query_scratchpad_md)) }

    /// The implementation oneDNN picked (e.g. `jit:avx512_core`), for checks and benchmarks.
    var implementation: String {
        var name: UnsafePointer<CChar>?
        withUnsafeMutablePointer(to: &name) { pointer in
            _ = dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, UnsafeMutableRawPointer(pointer))
        }
        return name.map { String(cString: $0) } ?? "unknown"
    }
}

/// A thread-safe map from a primitive's parameters to the created primitive(s), so each
/// shape is created once, holding at most `capacity` entries: when a new shape would
/// exceed it, the least recently used entry is dropped (its primitives are destroyed once
/// no running operation holds them). A training run whose sequence lengths or last-batch
/// sizes keep changing therefore keeps a bounded number of primitives.
final class DNNLCache<Key: Hashable, Value>: @unchecked Sendable {
    /// Entries per cache: room for every shape of a data set bucketed into a few hundred
    /// batch shapes (a cache smaller than the shapes in use evicts on every step).
    static var defaultCapacity: Int { 512 }

    let capacity: Int
    /// Entries by key and by the threads they were created for: oneDNN fixes a primitive's
    /// thread count when it is created, so a primitive made while another program held a
    /// core is not reused once the core is free again (and the other way round).
    private var entries: [ThreadedKey: (value: Value?, lastUse: Int)] = [:]
    private var clock = 0
    private let lock = NSLock()

    private struct ThreadedKey: Hashable {
        let key: Key
        let threads: Int
    }

    init(capacity: Int = defaultCapacity) {
        self.capacity = capacity
    }

    /// How many entries are held now.
    var count: Int { lock.withLock { entries.count } }

    /// The keys and values held now (not the unsupported ones), oldest use first.
    var held: [(key: Key, value: Value)] {
        lock.withLock {
            entries.sorted { $0.value.lastUse < $1.value.lastUse }.compactMap { entry in entry.value.value.map { (entry.key.key, $0) } }
        }
    }

    /// The cached value for `key`, creating it with `make` on first use (`nil` = unsupported),
    /// made for `threads` threads (by default the cores free now).
    func value(for plainKey: Key, threads: Int = CoreAvailability.threads, _ make: () -> Value?) -> Value? {
        let key = ThreadedKey(key: plainKey, threads: threads)
        let cached = lock.withLock { () -> Value?? in
            clock += 1
            guard let entry = entries[key] else { return nil }
            entries[key] = (entry.value, clock)
            return .some(entry.value)
        }
        if let cached { return cached }
        // oneDNN sizes a primitive's work split by OpenMP's thread count at creation
        omp_set_num_threads(Int32(threads))
        let created = make()
        lock.withLock {
            clock += 1
            if entries[key] == nil, entries.count >= capacity,
               let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                entries[oldest] = nil
            }
            entries[key] = (created, clock)
        }
        return created
    }
}
