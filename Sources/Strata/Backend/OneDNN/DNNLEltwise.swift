import CDNNL

/// Point-wise activation primitives on data in any format (output in the same format).
enum DNNLEltwise {
    struct Key: Hashable {
        let activation: Activation
        let format: DNNLFormatKey
    }

    private static let forwardCache = DNNLCache<Key, DNNLPrimitive>()
    private static let backwardCache = DNNLCache<Key, DNNLPrimitive>()

    /// oneDNN's algorithm with its alpha and beta, or `nil` where oneDNN 2.6 has none
    /// (hard-sigmoid; softplus, whose `soft_relu` computes `log(1 + eˣ)` as written: the plain
    /// Swift kernel runs instead).
    static func algorithm(_ activation: Activation) -> (dnnl_alg_kind_t, Float, Float)? {
        switch activation {
        case .relu: return (dnnl_eltwise_relu, 0, 0)
        case let .leakyRelu(slope): return (dnnl_eltwise_relu, slope, 0)
        case let .elu(alpha): return (dnnl_eltwise_elu, alpha, 0)
        case .gelu: return (dnnl_eltwise_gelu_erf, 0, 0)
        case .geluTanh: return (dnnl_eltwise_gelu_tanh, 0, 0)
        case .sigmoid: return (dnnl_eltwise_logistic, 0, 0)
        case .tanh: return (dnnl_eltwise_tanh, 0, 0)
        // clip_v2 passes the gradient strictly inside (0, 6), as PyTorch's hardtanh
        case .relu6: return (dnnl_eltwise_clip_v2, 0, 6)
        case .hardswish: return (dnnl_eltwise_hardswish, 0, 0)
        case .hardsigmoid, .softplus: return nil
        }
    }

    private static func forwardOperation(_ key: Key, _ data: dnnl_memory_desc_t) -> dnnl_eltwise_desc_t? {
        var data = data
        var operation = dnnl_eltwise_desc_t()
        guard case let (alg, alpha, beta)? = algorithm(key.activation),
              dnnl_eltwise_forward_desc_init(&operation, dnnl_forward_training, alg, &data, alpha, beta) == dnnl_success
        else { return nil }
        return operation
    }

    static func forward(_ key: Key, data: dnnl_memory_desc_t) -> DNNLPrimitive? {
        forwardCache.value(for: key) { forwardOperation(key, data).flatMap { DNNLPrimitive("eltwise forward", $0) } }
    }

    static func backward(_ key: Key, data: dnnl_memory_desc_t) -> DNNLPrimitive? {
        backwardCache.value(for: key) {
            var data = data
            var operation = dnnl_eltwise_desc_t()
            guard case let (alg, alpha, beta)? = algorithm(key.activation),
                  let hint = forwardOperation(key, data).flatMap({ DNNLPrimitive("eltwise forward", $0) }),
                  dnnl_eltwise_backward_desc_init(&operation, alg, &data, &data, alpha, beta) == dnnl_success
            else { return nil }
            return DNNLPrimitive("eltwise backward", operation, hint: hint)
        }
    }
}

/// Element-wise binary primitives on two same-shaped operands in one format.
enum DNNLBinary {
    struct Key: Hashable {
        let op: BinaryOp
        let format: DNNLFormatKey
    }

    private static let cache = DNNLCache<Key, DNNLPrimitive>()

    /// oneDNN's algorithm for `op`, if it has one.
    static func algorithm(_ op: BinaryOp) -> dnnl_alg_kind_t? {
        switch op {
        case .add: return dnnl_binary_add
        case .subtract: return dnnl_binary_sub
        case .multiply: return dnnl_binary_mul
        case .divide: return dnnl_binary_div
        case .maximum: return dnnl_binary_max
        case .minimum: return dnnl_binary_min
        default: return nil
        }
    }

    static func primitive(_ key: Key, data: dnnl_memory_desc_t) -> DNNLPrimitive? {
        cache.value(for: key) {
            guard let alg = algorithm(key.op) else { return nil }
            var first = data, second = data, result = data
            var operation = dnnl_binary_desc_t()
            guard dnnl_binary_desc_init(&operation, alg, &first, &second, &result) == dnnl_success else { return nil }
            return DNNLPrimitive("binary", operation)
        }
    }
}
