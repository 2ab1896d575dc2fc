import CDNNL

/// Max and average pooling primitives on plain `N×C×H×W` data, created once per shape.
enum DNNLPooling {
    struct Key: Hashable {
        let input: [Int]
        let geometry: PoolingGeometry
        let training: Bool
    }

    /// Max pooling's record of the chosen positions, passed from forward to backward.
    final class Workspace: @unchecked Sendable {
        let storage: TensorStorage
        let descriptor: dnnl_memory_desc_t
        init(storage: TensorStorage, descriptor: dnnl_memory_desc_t) {
            self.storage = storage
            self.descriptor = descriptor
        }
    }

    private static let forwardCache = DNNLCache<Key, DNNLPrimitive>()
    private static let backwardCache = DNNLCache<Key, DNNLPrimitive>()

    static func algorithm(_ kind: PoolingKind) -> dnnl_alg_kind_t {
        switch kind {
        case .max: return dnnl_pooling_max
        case .averageIncludingPadding: return dnnl_pooling_avg_include_padding
        case .averageExcludingPadding: return dnnl_pooling_avg_exclude_padding
        }
    }

    static func outputShape(_ key: Key) -> [Int] {
        [key.input[0], key.input[1]] + key.geometry.outputSize(input: [key.input[2], key.input[3]])
    }

    private static func operation(_ key: Key, forward: Bool) -> dnnl_pooling_v2_desc_t? {
        let g = key.geometry
        var source = DNNL.plain(key.input), destination = DNNL.plain(outputShape(key))
        var operation = dnnl_pooling_v2_desc_t()
        let strides = DNNL.dims(g.stride), kernel = DNNL.dims(g.kernel), dilation = DNNL.dims([0, 0])
        let before = DNNL.dims(g.paddingBefore), after = DNNL.dims(g.paddingAfter)
        let status = forward
            ? dnnl_pooling_v2_forward_desc_init(&operation, key.training ? dnnl_forward_training : dnnl_forward_inference,
                                                algorithm(g.kind), &source, &destination, strides, kernel, dilation,
                                                before, after)
            : dnnl_pooling_v2_backward_desc_init(&operation, algorithm(g.kind), &source, &destination, strides, kernel,
                                                 dilation, before, after)
        return status == dnnl_success ? operation : nil
    }

    static func forward(_ key: Key) -> DNNLPrimitive? {
        forwardCache.value(for: key) {
            operation(key, forward: true).flatMap { DNNLPrimitive("pooling forward", $0) }
        }
    }

    static func backward(_ key: Key) -> DNNLPrimitive? {
        backwardCache.value(for: key) {
            guard let hint = forward(Key(input: key.input, geometry: key.geometry, training: true)),
                  let operation = operation(key, forward: false) else { return nil }
            return DNNLPrimitive("pooling backward", operation, hint: hint)
        }
    }
}
