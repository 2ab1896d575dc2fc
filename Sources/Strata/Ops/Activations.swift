import Foundation

/// Applies a point-wise activation through the backend and records its derivative. An
/// input that a fused convolution already passed through this activation comes back as it
/// is — as an unmarked view of the same elements unless applying it again changes nothing
/// (so hard-swish after that hard-swish computes) — as does one it passed through an
/// activation that absorbs this one (ReLU after ReLU6).
private func activation(_ kind: Activation, _ name: String, _ input: Tensor) -> Tensor {
    if let applied = input.appliedActivation, applied.version == input.storage.version,
       !input.requiresGrad, ONNXTrace.current == nil {
        if applied.activation.absorbs(kind) { return input }
        if applied.activation == kind { return input.detach() }
    }
    return ONNXTrace.op([input], emit: ONNXEmit.activation(kind)) {
        let x = input.toFloat()
        let result = Kernels.backend.activationForward(kind, input: x)
        let (savedInput, savedOutput) = (x.detach(), result.detach())
        return Tensor.record(result, name, inputs: [x]) { grad in
            [Kernels.backend.activationBackward(kind, gradOutput: grad, input: savedInput, output: savedOutput)]
        }
    }
}

/// `max(x, 0)`; the gradient at 0 is 0 (as PyTorch).
public func relu(_ x: Tensor) -> Tensor { activation(.relu, "relu", x) }

/// `x` for `x > 0`, else `negativeSlope·x`.
public func leakyRelu(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor {
    activation(.leakyRelu(negativeSlope: negativeSlope), "leakyRelu", x)
}

/// `x` for `x > 0`, else `alpha·(eˣ − 1)`.
public func elu(_ x: Tensor, alpha: Float = 1) -> Tensor { activation(.elu(alpha: alpha), "elu", x) }

/// The exact GELU, `x·Φ(x) = x/2·(1 + erf(x/√2))`.
public func gelu(_ x: Tensor) -> Tensor { activation(.gelu, "gelu", x) }

/// GELU's tanh approximation (PyTorch's `approximate='tanh'`).
public func geluTanh(_ x: Tensor) -> Tensor { activation(.geluTanh, "geluTanh", x) }

/// `1/(1 + e⁻ˣ)`.
public func sigmoid(_ x: Tensor) -> Tensor { activation(.sigmoid, "sigmoid", x) }

/// `log(1 + eˣ)` (PyTorch's `softplus` with β = 1), without overflow for large `x`; the
/// gradient is `sigmoid(x)`.
public func softplus(_ x: Tensor) -> Tensor { activation(.softplus, "softplus", x) }

/// Hyperbolic tangent.
public func tanh(_ x: Tensor) -> Tensor { activation(.tanh, "tanh", x) }

/// `min(max(x, 0), 6)` (PyTorch's `relu6`); the gradient is 1 strictly between 0 and 6.
public func relu6(_ x: Tensor) -> Tensor { activation(.relu6, "relu6", x) }

/// `x·min(max(x + 3, 0), 6)/6` (PyTorch's `hardswish`).
public func hardswish(_ x: Tensor) -> Tensor { activation(.hardswish, "hardswish", x) }

/// `min(max(x + 3, 0), 6)/6` (PyTorch's `hardsigmoid`).
public func hardsigmoid(_ x: Tensor) -> Tensor { activation(.hardsigmoid, "hardsigmoid", x) }

/// Parametric ReLU: `x` for `x > 0`, else `weight_c·x` with one learned slope per channel
/// (axis 1) or a single slope shared by all (`weight` of shape `[1]`).
///
/// - Throws: `StrataError.shapeMismatch` when `weight` is neither `[1]` nor `[C]`.
public func prelu(_ input: Tensor, weight: Tensor) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input, weight], emit: ONNXEmit.prelu(inputRank: input.rank, channels: weight.count)) { () throws(StrataError) in
        let op = "prelu"
        guard input.dtype == .float32, weight.dtype == .float32 else {
            throw .dtypeMismatch(op: op, expected: .float32, got: input.dtype == .float32 ? weight.dtype : input.dtype)
        }
        let channels = input.rank >= 2 ? input.shape[1] : 1
        guard weight.shape == [1] || weight.shape == [channels] else {
            throw .shapeMismatch(op: op, message: "weight must have shape [1] or [\(channels)] (one slope per channel of input \(Shape.describe(input.shape))), got \(Shape.describe(weight.shape))")
        }
        // slopes broadcast along axis 1
        var slopeShape = [Int](repeating: 1, count: Swift.max(input.rank, 1))
        if input.rank >= 2 { slopeShape[1] = weight.count }
        let slopes = weight.dense().viewing(shape: slopeShape)
        let x = input.detach()
        let positive = Kernels.binary(.greater, x, Kernels.full([], 0))
        let negativePart = Kernels.multiply(Kernels.subtract(Kernels.full([], 1), positive), x)
        let result = Kernels.add(Kernels.multiply(positive, x), Kernels.multiply(negativePart, slopes))
        let needs = (input.requiresGrad, weight.requiresGrad)
        let weightShape = weight.shape
        return Tensor.record(result, op, inputs: [input, weight]) { grad in
            // dx = grad·(1 if x > 0 else slope); dslope = Σ grad·x over x ≤ 0
            let dx = needs.0
                ? Kernels.multiply(grad, Kernels.add(positive, Kernels.multiply(Kernels.subtract(Kernels.full([], 1), positive), slopes)))
                : nil
            let dw = needs.1 ? Kernels.sumToShape(Kernels.multiply(grad, negativePart), slopeShape).dense().viewing(shape: weightShape) : nil
            return [dx, dw]
        }
    }
}

/// Softmax over `axis`: `exp(x_i)/Σ_j exp(x_j)`, computed with the maximum subtracted.
public func softmax(_ input: Tensor, axis: Int = -1) throws(StrataError) -> Tensor {
    try softmaxFamily(input, axis: axis, log: false)
}

/// Log-softmax over `axis`: `x_i − log Σ_j exp(x_j)`, computed stably.
public func logSoftmax(_ input: Tensor, axis: Int = -1) throws(StrataError) -> Tensor {
    try softmaxFamily(input, axis: axis, log: true)
}

private func softmaxFamily(_ input: Tensor, axis: Int, log: Bool) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input], emit: ONNXEmit.plain(log ? "LogSoftmax" : "Softmax", [ONNXAttribute.int("axis", axis)])) { () throws(StrataError) in
        let op = log ? "logSoftmax" : "softmax"
        guard input.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: input.dtype) }
        let axis = try Shape.normalizeAxis(axis, rank: input.rank, op: op)
        let x = input.rank == 0 ? input.viewing(shape: [1]) : input
        let result = Kernels.backend.softmaxForward(input: x, axis: axis, log: log).viewing(shape: input.shape)
        try BackendFailure.check()
        let saved = result.detach()
        return Tensor.record(result, op, inputs: [input]) { grad in
            [Kernels.backend.softmaxBackward(gradOutput: grad, output: saved, axis: axis, log: log)]
        }
    }
}

extension Activation {
    /// Whether a convolution applies it in the same pass for inference (`fuseForInference`).
    var isFusable: Bool { self == .relu || self == .relu6 || self == .hardswish }

    /// Whether applying `next` after this activation changes nothing (`next(self(x)) = self(x)`):
    /// ReLU after ReLU or ReLU6, ReLU6 after ReLU6.
    func absorbs(_ next: Activation) -> Bool {
        switch (self, next) {
        case (.relu, .relu), (.relu6, .relu6), (.relu6, .relu): return true
        default: return false
        }
    }
}
