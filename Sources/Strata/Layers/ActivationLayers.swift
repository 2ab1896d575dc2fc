/// `max(x, 0)` (PyTorch's `nn.ReLU`).
public final class ReLU: Module {
    public override init() {}
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { relu(input) }
    public override func flops(input: [Int], output: [Int]) -> Int { Shape.count(Array(input.dropFirst())) }
}

/// `x` for `x > 0`, else `negativeSlope·x` (PyTorch's `nn.LeakyReLU`).
public final class LeakyReLU: Module {
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { leakyRelu(input, negativeSlope: negativeSlope) }
    public override var summaryText: String { "LeakyReLU \(negativeSlope)" }
}

/// `x` for `x > 0`, else `alpha·(eˣ − 1)` (PyTorch's `nn.ELU`).
public final class ELU: Module {
    public let alpha: Float
    public init(alpha: Float = 1) { self.alpha = alpha }
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { elu(input, alpha: alpha) }
    public override var summaryText: String { "ELU α=\(alpha)" }
}

/// The exact GELU, or its tanh approximation (PyTorch's `nn.GELU`).
public final class GELU: Module {
    public let approximateTanh: Bool
    public init(approximateTanh: Bool = false) { self.approximateTanh = approximateTanh }
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        approximateTanh ? geluTanh(input) : gelu(input)
    }
}

/// `1/(1 + e⁻ˣ)` (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: Module {
    public override init() {}
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { sigmoid(input) }
}

/// Hyperbolic tangent (PyTorch's `nn.Tanh`).
public final class Tanh: Module {
    public override init() {}
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { tanh(input) }
}

/// `min(max(x, 0), 6)` (PyTorch's `nn.ReLU6`, MobileNetV2's activation).
public final class ReLU6: Module {
    public override init() {}
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { relu6(input) }
    public override func flops(input: [Int], output: [Int]) -> Int { Shape.count(Array(input.dropFirst())) }
}

/// `x·relu6(x + 3)/6` (PyTorch's `nn.Hardswish`, MobileNetV3's activation).
public final class Hardswish: Module {
    public override init() {}
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { hardswish(input) }
    public override func flops(input: [Int], output: [Int]) -> Int { 4 * Shape.count(Array(input.dropFirst())) }
}

/// `relu6(x + 3)/6` (PyTorch's `nn.Hardsigmoid`).
public final class Hardsigmoid: Module {
    public override init() {}
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { hardsigmoid(input) }
    public override func flops(input: [Int], output: [Int]) -> Int { 3 * Shape.count(Array(input.dropFirst())) }
}

/// Softmax over `axis` (PyTorch's `nn.Softmax(dim)`).
public final class Softmax: Module {
    public let axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { try softmax(input, axis: axis) }
}

/// ReLU with a learned slope for negative inputs, one per channel or shared
/// (PyTorch's `nn.PReLU(num_parameters, init=0.25)`, parameter `weight`).
public final class PReLU: Module {
    @Parameter public var weight: Tensor

    public init(parameters: Int = 1, initialSlope: Float = 0.25) {
        weight = Tensor(filledShape: [Swift.min(Swift.max(parameters, 1), 1 << 20)], value: initialSlope)
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { try prelu(input, weight: weight) }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        let channels = input.count >= 2 ? input[1] : 1
        guard weight.count == 1 || weight.count == channels else {
            throw .shapeMismatch(op: "PReLU", message: "has \(weight.count) slopes but the input has \(channels) channels")
        }
        return input
    }

    public override var summaryText: String { "PReLU \(weight.count)" }
}
