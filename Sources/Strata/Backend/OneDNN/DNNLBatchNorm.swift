import CDNNL

/// Batch normalisation with fixed statistics (eval mode; training's sums are
/// `ChannelBatchNorm`'s), scale γ and shift β as separate `[C]` arguments, on
/// data viewed as 4-D `N×C×H×W` (`N×C×1×L` for sequences, `N×C×1×1` for features), in
/// whatever format the data already has.
enum DNNLBatchNorm {
    struct Key: Hashable {
        let format: DNNLFormatKey
        let eps: Float
    }

    private static let inferenceCache = DNNLCache<Key, DNNLPrimitive>()

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

    static func inference(_ key: Key, data: dnnl_memory_desc_t) -> DNNLPrimitive? {
        inferenceCache.value(for: key) {
            var data = data
            var operation = dnnl_batch_normalization_desc_t()
            let flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue | dnnl_use_global_stats.rawValue
            guard dnnl_batch_normalization_forward_desc_init(&operation, dnnl_forward_inference, &data, key.eps, flags)
                    == dnnl_success else { return nil }
            return DNNLPrimitive("batch norm inference", operation)
        }
    }
}
