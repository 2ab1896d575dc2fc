import CDNNL

/// Batch normalisation primitives (scale γ and shift β as separate `[C]` arguments) on
/// data viewed as 4-D `N×C×H×W` (`N×C×1×L` for sequences, `N×C×1×1` for features), in
/// whatever format the data already has.
enum DNNLBatchNorm {
    struct Key: Hashable {
        let format: DNNLFormatKey
        let eps: Float
        let globalStatistics: Bool
    }

    private static let forwardCache = DNNLCache<Key, DNNLPrimitive>()
    private static let backwardCache = DNNLCache<Key, DNNLPrimitive>()

    /// The 4-D dims oneDNN normalises for an `N×C×…` tensor (matching convolution's
    /// `N×C×1×L` view of sequences, so blocked data passes between them as it is).
    static func dataDims(_ shape: [Int]) -> [Int] {
        switch shape.count {
        case 2: return shape + [1, 1]
        case 3: return [shape[0], shape[1], 1, shape[2]]
        case 4: return shape
        default: return [shape[0], shape[1], 1, Shape.count(Array(shape[2...]))]
        }
    }

    private static func flags(_ key: Key) -> UInt32 {
        dnnl_use_scale.rawValue | dnnl_use_shift.rawValue | (key.globalStatistics ? dnnl_use_global_stats.rawValue : 0)
    }

    private static func forwardOperation(_ key: Key, _ data: dnnl_memory_desc_t,
                                         _ kind: dnnl_prop_kind_t) -> dnnl_batch_normalization_desc_t? {
        var data = data
        var operation = dnnl_batch_normalization_desc_t()
        guard dnnl_batch_normalization_forward_desc_init(&operation, kind, &data, key.eps, flags(key)) == dnnl_success
        else { return nil }
        return operation
    }

    static func forward(_ key: Key, data: dnnl_memory_desc_t) -> DNNLPrimitive? {
        forwardCache.value(for: key) {
            forwardOperation(key, data, key.globalStatistics ? dnnl_forward_inference : dnnl_forward_training)
                .flatMap { DNNLPrimitive("batch norm forward", $0) }
        }
    }

    static func backward(_ key: Key, data: dnnl_memory_desc_t) -> DNNLPrimitive? {
        backwardCache.value(for: key) {
            var data = data
            var operation = dnnl_batch_normalization_desc_t()
            guard let hint = forwardOperation(key, data, dnnl_forward_training).flatMap({ DNNLPrimitive("batch norm forward", $0) }),
                  dnnl_batch_normalization_backward_desc_init(&operation, dnnl_backward, &data, &data, key.eps,
                                                              flags(key)) == dnnl_success
            else { return nil }
            return DNNLPrimitive("batch norm backward", operation, hint: hint)
        }
    }
}
