import CDNNL

/// Batch normalisation primitives (scale γ and shift β as separate `[C]` arguments) on
/// plain data viewed as `N×C×S×1`.
enum DNNLBatchNorm {
    struct Key: Hashable {
        let shape: [Int]
        let eps: Float
        let globalStatistics: Bool
    }

    private static let forwardCache = DNNLCache<Key, DNNLPrimitive>()
    private static let backwardCache = DNNLCache<Key, DNNLPrimitive>()

    /// `N×C×…` as the 4-D shape oneDNN normalises.
    static func dataShape(_ shape: [Int]) -> [Int] {
        [shape[0], shape[1], Shape.count(Array(shape[2...])), 1]
    }

    private static func flags(_ key: Key) -> UInt32 {
        dnnl_use_scale.rawValue | dnnl_use_shift.rawValue | (key.globalStatistics ? dnnl_use_global_stats.rawValue : 0)
    }

    static func forward(_ key: Key) -> DNNLPrimitive? {
        forwardCache.value(for: key) {
            var data = DNNL.plain(dataShape(key.shape))
            var operation = dnnl_batch_normalization_desc_t()
            guard dnnl_batch_normalization_forward_desc_init(
                &operation, key.globalStatistics ? dnnl_forward_inference : dnnl_forward_training, &data,
                key.eps, flags(key)) == dnnl_success else { return nil }
            return DNNLPrimitive("batch norm forward", operation)
        }
    }

    static func backward(_ key: Key) -> DNNLPrimitive? {
        backwardCache.value(for: key) {
            var data = DNNL.plain(dataShape(key.shape))
            var hintOperation = dnnl_batch_normalization_desc_t()
            var operation = dnnl_batch_normalization_desc_t()
            guard dnnl_batch_normalization_forward_desc_init(&hintOperation, dnnl_forward_training, &data, key.eps,
                                                             flags(key)) == dnnl_success,
                  let hint = DNNLPrimitive("batch norm forward", hintOperation),
                  dnnl_batch_normalization_backward_desc_init(&operation, dnnl_backward, &data, &data, key.eps,
                                                              flags(key)) == dnnl_success
            else { return nil }
            return DNNLPrimitive("batch norm backward", operation, hint: hint)
        }
    }
}
