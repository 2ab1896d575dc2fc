/// Hyperparameters of a convolution over two spatial axes (height, width), in the words
/// of the field. One-dimensional convolutions use height 1 with stride 1, padding 0,
/// dilation 1 on that axis. Padding may differ before and after (`same`, `causal`).
public struct ConvolutionGeometry: Hashable, Sendable {
    public var stride: [Int]
    public var paddingBefore: [Int]
    public var paddingAfter: [Int]
    public var dilation: [Int]
    public var groups: Int

    public init(stride: [Int], paddingBefore: [Int], paddingAfter: [Int], dilation: [Int], groups: Int) {
        self.stride = stride
        self.paddingBefore = paddingBefore
        self.paddingAfter = paddingAfter
        self.dilation = dilation
        self.groups = groups
    }

    /// Output height and width for an input of `input` (h, w) and a kernel of `kernel` (kh, kw).
    public func outputSize(input: [Int], kernel: [Int]) -> [Int] {
        (0..<2).map { axis in
            outputLength(input: input[axis], kernel: kernel[axis], stride: stride[axis],
                         paddingBefore: paddingBefore[axis], paddingAfter: paddingAfter[axis],
                         dilation: dilation[axis])
        }
    }
}

/// Which reduction a pooling window applies.
public enum PoolingKind: Hashable, Sendable {
    /// Maximum; padding counts as −∞; the gradient goes to the first maximum.
    case max
    /// Mean over the window, padding zeros counted in the divisor (`count_include_pad`).
    case averageIncludingPadding
    /// Mean over the window's elements inside the input.
    case averageExcludingPadding
}

/// Hyperparameters of a pooling window over two spatial axes (1D pooling uses height 1).
public struct PoolingGeometry: Hashable, Sendable {
    public var kind: PoolingKind
    public var kernel: [Int]
    public var stride: [Int]
    public var paddingBefore: [Int]
    public var paddingAfter: [Int]
    /// Round the output size up (PyTorch's `ceil_mode`): a last, partial window is kept
    /// when it starts inside the input or the leading padding.
    public var ceilMode: Bool
    /// Spacing of a window's taps (max pooling only; 1 = contiguous).
    public var dilation: [Int]

    public init(kind: PoolingKind, kernel: [Int], stride: [Int], paddingBefore: [Int], paddingAfter: [Int],
                ceilMode: Bool = false, dilation: [Int] = [1, 1]) {
        self.kind = kind
        self.kernel = kernel
        self.stride = stride
        self.paddingBefore = paddingBefore
        self.paddingAfter = paddingAfter
        self.ceilMode = ceilMode
        self.dilation = dilation
    }

    /// The span a window covers on `axis`: `dilation·(kernel − 1) + 1`.
    func extent(_ axis: Int) -> Int { dilation[axis] * (kernel[axis] - 1) + 1 }

    /// Output height and width for an input of `input` (h, w).
    public func outputSize(input: [Int]) -> [Int] {
        (0..<2).map { axis in
            let floor = outputLength(input: input[axis], kernel: kernel[axis], stride: stride[axis],
                                     paddingBefore: paddingBefore[axis], paddingAfter: paddingAfter[axis],
                                     dilation: dilation[axis])
            guard ceilMode else { return floor }
            let span = input[axis] + paddingBefore[axis] + paddingAfter[axis] - extent(axis)
            var size = (span + stride[axis] - 1) / stride[axis] + 1
            // PyTorch drops a last window that would start in the trailing padding
            if (size - 1) * stride[axis] >= input[axis] + paddingBefore[axis] { size -= 1 }
            return Swift.max(size, floor)
        }
    }

    /// The same windows in floor mode, with the trailing padding grown so the partial
    /// last window of ceil mode fits (`nil` when that would change an average's divisor).
    func floorEquivalent(input: [Int]) -> PoolingGeometry? {
        guard ceilMode else { return self }
        let out = outputSize(input: input)
        var grown = self
        grown.ceilMode = false
        for axis in 0..<2 {
            let extra = (out[axis] - 1) * stride[axis] + extent(axis) - (input[axis] + paddingBefore[axis] + paddingAfter[axis])
            if extra > 0 {
                if kind == .averageIncludingPadding { return nil }
                grown.paddingAfter[axis] += extra
            }
        }
        return grown
    }
}

/// Point-wise activation functions with a backward rule.
public enum Activation: Hashable, Sendable {
    case relu
    case leakyRelu(negativeSlope: Float)
    case elu(alpha: Float)
    /// The exact GELU, `x·Φ(x)` with the normal CDF through `erf`.
    case gelu
    /// GELU's tanh approximation, `x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
    case geluTanh
    case sigmoid
    case tanh
    /// `min(max(x, 0), 6)` (MobileNetV2); the gradient is 1 strictly between 0 and 6.
    case relu6
    /// `x·relu6(x + 3)/6` (MobileNetV3).
    case hardswish
    /// `relu6(x + 3)/6`, a piecewise-linear sigmoid (MobileNetV3's squeeze-and-excitation).
    case hardsigmoid
    /// `log(1 + eˣ)`, computed as `max(x, 0) + log1p(e^−|x|)` (no overflow); the gradient is σ(x).
    case softplus
}

/// Element-wise binary operations (operands broadcast).
public enum BinaryOp: Hashable, Sendable {
    case add, subtract, multiply, divide, power, maximum, minimum
    /// Comparisons give 1 where true and 0 where false.
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

/// Element-wise unary operations.
public enum UnaryOp: Hashable, Sendable {
    case negate, exp, log, sqrt, abs, sign, square, reciprocal
    case power(Float)
    case clamp(min: Float, max: Float)
    case scale(Float)
    case shift(Float)
}
