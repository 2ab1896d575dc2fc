/// Element-wise functions of one tensor and their derivatives.
extension Tensor {
    /// Applies `op` and records `backward(grad, input, output)`.
    func unaryOp(_ op: UnaryOp, _ name: String, saves: SavedForBackward,
                 backward: @escaping (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        let input = toFloat()
        let result = Kernels.unary(op, input)
        let (x, y) = (input.detach(), result.detach())
        return record(result, name, inputs: [input], saves: saves) { grad in [backward(grad, x, y)] }
    }

    /// `e^x`.
    public func exp() -> Tensor {
        ONNXTrace.op([self], emit: ONNXEmit.plain("Exp")) {
            unaryOp(.exp, "exp", saves: .output) { grad, _, y in Kernels.multiply(grad, y) }
        }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        ONNXTrace.op([self], emit: ONNXEmit.plain("Log")) {
            unaryOp(.log, "log", saves: .inputs) { grad, x, _ in Kernels.divide(grad, x) }
        }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        unaryOp(.sqrt, "sqrt", saves: .output) { grad, _, y in Kernels.divide(grad, Kernels.scale(y, 2)) }
    }

    /// Absolute value (gradient 0 at 0, as in PyTorch).
    public func abs() -> Tensor {
        unaryOp(.abs, "abs", saves: .inputs) { grad, x, _ in Kernels.multiply(grad, Kernels.unary(.sign, x)) }
    }

    /// −1, 0 or 1 by sign; its gradient is zero.
    public func sign() -> Tensor {
        unaryOp(.sign, "sign", saves: .nothing) { grad, _, _ in Tensor(zerosShape: grad.shape) }
    }

    /// `x²`.
    public func square() -> Tensor {
        unaryOp(.square, "square", saves: .inputs) { grad, x, _ in Kernels.multiply(grad, Kernels.scale(x, 2)) }
    }

    /// `1/x`.
    public func reciprocal() -> Tensor {
        unaryOp(.reciprocal, "reciprocal", saves: .output) { grad, _, y in
            Kernels.unary(.negate, Kernels.multiply(grad, Kernels.unary(.square, y)))
        }
    }

    /// `x^exponent` element-wise.
    public func pow(_ exponent: Float) -> Tensor {
        unaryOp(.power(exponent), "pow", saves: .inputs) { grad, x, _ in
            Kernels.multiply(grad, Kernels.scale(Kernels.unary(.power(exponent - 1), x), exponent))
        }
    }

    /// Limits every element to `[min, max]`; the gradient passes where `min ≤ x ≤ max`.
    ///
    /// - Throws: `StrataError.invalidArgument` when `min > max`.
    public func clamp(min low: Float = -.infinity, max high: Float = .infinity) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.clip(min: low, max: high)) { () throws(StrataError) in
            guard low <= high else {
                throw .invalidArgument(op: "clamp", message: "min \(low) must be ≤ max \(high)")
            }
            return unaryOp(.clamp(min: low, max: high), "clamp", saves: .inputs) { grad, x, _ in
                let inside = Kernels.multiply(Kernels.binary(.greaterEqual, x, Kernels.full([], low)),
                                              Kernels.binary(.lessEqual, x, Kernels.full([], high)))
                return Kernels.multiply(grad, inside)
            }
        }
    }
}
