import CDNNL

/// Point-wise activation primitives over a flat buffer of `count` floats.
enum DNNLEltwise {
    struct Key: Hashable {
        let activation: Activation
        let count: Int
    }

    private static let forwardCache = DNNLCache<Key, DNNLPrimitive>()
    private static let backwardCache = DNNLCache<Key, DNNLPrimitive>()

    private static func algorithm(_ activation: Activation) -> (dnnl_alg_kind_t, Float) {
        switch activation {
        case .relu: return (dnnl_eltwise_relu, 0)
        case let .leakyRelu(slope): return (dnnl_eltwise_relu, slope)
        case let .elu(alpha): return (dnnl_eltwise_elu, alpha)
        case .gelu: return (dnnl_eltwise_gelu_erf, 0)
        case .geluTanh: return (dnnl_eltwise_gelu_tanh, 0)
        case .sigmoid: return (dnnl_eltwise_logistic, 0)
        case .tanh: return (dnnl_eltwise_tanh, 0)
        }
    }

    private static func forwardOperation(_ key: Key) -> dnnl_eltwise_desc_t? {
        var data = DNNL.plain([key.count])
        var operation = dnnl_eltwise_desc_t()
        let (alg, alpha) = algorithm(key.activation)
        guard dnnl_eltwise_forward_desc_init(&operation, dnnl_forward_training, alg, &data, alpha, 0) == dnnl_success
        else { return nil }
        return operation
    }

    static func forward(_ key: Key) -> DNNLPrimitive? {
        forwardCache.value(for: key) { forwardOperation(key).flatMap { DNNLPrimitive("eltwise forward", $0) } }
    }

    static func backward(_ key: Key) -> DNNLPrimitive? {
        backwardCache.value(for: key) {
            var data = DNNL.plain([key.count])
            var operation = dnnl_eltwise_desc_t()
            let (alg, alpha) = algorithm(key.activation)
            guard let hint = forwardOperation(key).flatMap({ DNNLPrimitive("eltwise forward", $0) }),
                  dnnl_eltwise_backward_desc_init(&operation, alg, &data, &data, alpha, 0) == dnnl_success
            else { return nil }
            return DNNLPrimitive("eltwise backward", operation, hint: hint)
        }
    }
}
