/// Element-wise arithmetic (NumPy broadcasting; integer operands for shape arithmetic),
/// activations, softmax and dropout.
extension ONNXOperators {
    static let elementwise: [String: ONNXOperator] = [
        "Add": arithmetic(+) { $0 &+ $1 },
        "Sub": arithmetic(-) { $0 &- $1 },
        "Mul": arithmetic(*) { $0 &* $1 },
        "Div": arithmetic(/) { $1 == 0 ? 0 : $0 / $1 },
        "Neg": .single { c throws(StrataError) in -(try c.input(0)) },
        "Exp": .single { c throws(StrataError) in try c.input(0).exp() },
        "Log": .single { c throws(StrataError) in try c.input(0).log() },
        "Relu": .single { c throws(StrataError) in relu(try c.input(0)) },
        "Sigmoid": .single { c throws(StrataError) in sigmoid(try c.input(0)) },
        "Softplus": .single { c throws(StrataError) in softplus(try c.input(0)) },
        "Tanh": .single { c throws(StrataError) in tanh(try c.input(0)) },
        "HardSwish": .single { c throws(StrataError) in hardswish(try c.input(0)) },
        "Elu": .single { c throws(StrataError) in elu(try c.input(0), alpha: try c.attributes.float("alpha", default: 1)) },
        "LeakyRelu": .single { c throws(StrataError) in
            leakyRelu(try c.input(0), negativeSlope: try c.attributes.float("alpha", default: 0.01))
        },
        "HardSigmoid": .single { c throws(StrataError) in
            let (alpha, beta) = (try c.attributes.float("alpha", default: 0.2), try c.attributes.float("beta", default: 0.5))
            // PyTorch's hardsigmoid is ONNX's with α = 1/6, β = ½
            if Swift.abs(alpha - 1 / 6) < 1e-7, beta == 0.5 { return hardsigmoid(try c.input(0)) }
            return try (try c.input(0) * alpha + beta).clamp(min: 0, max: 1)
        },
        "PRelu": .single(parameters: [1]) { c throws(StrataError) in
            let (x, slope) = (try c.input(0), try c.input(1))
            // PyTorch exports its per-channel weight as C×1×1 (or one value)
            if x.rank >= 2, slope.count == x.shape[1] || slope.count == 1, slope.shape.dropFirst().allSatisfy({ $0 == 1 }) {
                return try prelu(x, weight: try slope.reshape([slope.count]))
            }
            let positive = relu(x)
            return try positive - slope * relu(-1 * x)
        },
        "Clip": .single { c throws(StrataError) in
            let (low, high) = (try c.scalar(1, default: -.infinity), try c.scalar(2, default: .infinity))
            // ONNX: with min > max every value becomes max
            return try c.input(0).clamp(min: Swift.min(low, high), max: high)
        },
        "Softmax": .single { c throws(StrataError) in
            try softmax(try c.input(0), axis: try c.attributes.int("axis", default: -1))
        },
        "LogSoftmax": .single { c throws(StrataError) in
            try logSoftmax(try c.input(0), axis: try c.attributes.int("axis", default: -1))
        },
        "Identity": .single { c throws(StrataError) in try c.input(0) },
        "Dropout": .single(unsupported: { node in
            node.gives(2) ? "a training_mode input (Strata drops out when the network trains, as PyTorch)" : nil
        }) { c throws(StrataError) in
            let x = try c.input(0)
            guard c.training else { return x }
            return try dropout(x, p: try c.scalar(1, default: 0.5), training: true)
        },
    ]

    /// A broadcasting binary operator: float operands through Strata's differentiable
    /// arithmetic, int64 operands (shape computations) element by element.
    private static func arithmetic(_ float: @escaping @Sendable (Tensor, Tensor) throws(StrataError) -> Tensor,
                                   _ integer: @escaping @Sendable (Int64, Int64) -> Int64) -> ONNXOperator {
        .single(parameters: [0, 1]) { c throws(StrataError) in
            let (a, b) = (try c.input(0), try c.input(1))
            switch (a.dtype, b.dtype) {
            case (.float32, .float32): return try float(a, b)
            case (.int64, .int64): return try integerArithmetic(c, a, b, integer)
            default:
                throw .dtypeMismatch(op: "onnx node '\(c.node)' (\(c.opType))", expected: a.dtype, got: b.dtype)
            }
        }
    }

    /// Integer arithmetic with NumPy broadcasting (on the small tensors of shape computations).
    private static func integerArithmetic(_ c: ONNXNodeContext, _ a: Tensor, _ b: Tensor,
                                          _ operation: (Int64, Int64) -> Int64) throws(StrataError) -> Tensor {
        let shape = try Shape.broadcast(a.shape, b.shape, op: "onnx node '\(c.node)' (\(c.opType))")
        try MemoryBudget.check(op: c.opType, shapes: [shape])
        let left = try a.expand(shape).dense().toLabels(), right = try b.expand(shape).dense().toLabels()
        return try ONNXTensorData.integers(zip(left, right).map { operation(Int64($0), Int64($1)) }, shape: shape)
    }
}
