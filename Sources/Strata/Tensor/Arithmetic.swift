/// Element-wise arithmetic with NumPy/PyTorch broadcasting; each operator's backward sums
/// the gradient back over the axes an operand was broadcast along.
extension Tensor {
    /// Checks operands of a float operation and computes their broadcast shape.
    static func broadcastShape(_ a: Tensor, _ b: Tensor, op: String) throws(StrataError) -> [Int] {
        guard a.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: a.dtype) }
        guard b.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: b.dtype) }
        let shape = a.shape == b.shape ? a.shape : try Shape.broadcast(a.shape, b.shape, op: op)
        try MemoryBudget.check(op: op, shapes: [shape])
        return shape
    }

    private static func arithmetic(_ op: BinaryOp, _ name: String, _ a: Tensor, _ b: Tensor, saves: SavedForBackward,
                                   backward: @escaping (Tensor, Tensor, Tensor) -> (Tensor?, Tensor?)) throws(StrataError) -> Tensor {
        try ONNXTrace.op([a, b], emit: ONNXEmit.binary(op)) { () throws(StrataError) in
            let shape = try broadcastShape(a, b, op: name)
            let result = Kernels.backend.binary(op, a, b, shape: shape)
            let (left, right) = (a.detach(), b.detach())
            let (needLeft, needRight) = (a.requiresGrad, b.requiresGrad)
            return record(result, name, inputs: [a, b], saves: saves) { grad in
                let (ga, gb) = backward(grad, left, right)
                return [needLeft ? ga.map { Kernels.sumToShape($0, left.shape) } : nil,
                        needRight ? gb.map { Kernels.sumToShape($0, right.shape) } : nil]
            }
        }
    }

    /// Element-wise sum. Throws `StrataError.shapeMismatch` when the shapes do not broadcast.
    public static func + (a: Tensor, b: Tensor) throws(StrataError) -> Tensor {
        try arithmetic(.add, "add", a, b, saves: .nothing) { grad, _, _ in (grad, grad) }
    }

    /// Element-wise difference.
    public static func - (a: Tensor, b: Tensor) throws(StrataError) -> Tensor {
        try arithmetic(.subtract, "subtract", a, b, saves: .nothing) { grad, _, _ in (grad, Kernels.unary(.negate, grad)) }
    }

    /// Element-wise product.
    public static func * (a: Tensor, b: Tensor) throws(StrataError) -> Tensor {
        try arithmetic(.multiply, "multiply", a, b, saves: .inputs) { grad, a, b in
            (Kernels.multiply(grad, b), Kernels.multiply(grad, a))
        }
    }

    /// Element-wise quotient.
    public static func / (a: Tensor, b: Tensor) throws(StrataError) -> Tensor {
        try arithmetic(.divide, "divide", a, b, saves: .inputs) { grad, a, b in
            let ga = Kernels.divide(grad, b)
            return (ga, Kernels.unary(.negate, Kernels.divide(Kernels.multiply(ga, a), b)))
        }
    }

    /// `a` raised to the power `b`, element-wise.
    public static func pow(_ a: Tensor, _ b: Tensor) throws(StrataError) -> Tensor {
        try arithmetic(.power, "pow", a, b, saves: .inputs) { grad, a, b in
            let power = Kernels.binary(.power, a, b)
            let ga = Kernels.multiply(grad, Kernels.multiply(b, Kernels.binary(.power, a, Kernels.binary(.subtract, b, Kernels.full([], 1)))))
            let gb = Kernels.multiply(grad, Kernels.multiply(power, Kernels.unary(.log, a)))
            return (ga, gb)
        }
    }

    /// Element-wise maximum; where both are equal the gradient is split evenly (as PyTorch does).
    public static func maximum(_ a: Tensor, _ b: Tensor) throws(StrataError) -> Tensor {
        try arithmetic(.maximum, "maximum", a, b, saves: .inputs) { grad, a, b in extremumGradients(grad, a, b, .greater) }
    }

    /// Element-wise minimum; ties split the gradient evenly.
    public static func minimum(_ a: Tensor, _ b: Tensor) throws(StrataError) -> Tensor {
        try arithmetic(.minimum, "minimum", a, b, saves: .inputs) { grad, a, b in extremumGradients(grad, a, b, .less) }
    }

    private static func extremumGradients(_ grad: Tensor, _ a: Tensor, _ b: Tensor, _ wins: BinaryOp) -> (Tensor, Tensor) {
        let aWins = Kernels.binary(wins, a, b)
        let tie = Kernels.scale(Kernels.binary(.equal, a, b), 0.5)
        let shareA = Kernels.add(aWins, tie)
        let shareB = Kernels.subtract(Kernels.full([], 1), shareA)
        return (Kernels.multiply(grad, shareA), Kernels.multiply(grad, shareB))
    }

    // MARK: With a scalar (cannot fail)

    public static func + (a: Tensor, b: Float) -> Tensor {
        ONNXTrace.op([a], emit: ONNXEmit.scalar("Add", b)) { a.unaryOp(.shift(b), "add", saves: .nothing) { grad, _, _ in grad } }
    }
    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }
    public static func - (a: Float, b: Tensor) -> Tensor { -b + a }
    public static func * (a: Tensor, b: Float) -> Tensor {
        ONNXTrace.op([a], emit: ONNXEmit.scalar("Mul", b)) {
            a.unaryOp(.scale(b), "multiply", saves: .nothing) { grad, _, _ in Kernels.scale(grad, b) }
        }
    }
    public static func * (a: Float, b: Tensor) -> Tensor { b * a }
    public static func / (a: Tensor, b: Float) -> Tensor { a * (1 / b) }
    public static func / (a: Float, b: Tensor) -> Tensor { b.reciprocal() * a }

    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor {
        ONNXTrace.op([a], emit: ONNXEmit.plain("Neg")) {
            a.unaryOp(.negate, "negate", saves: .nothing) { grad, _, _ in Kernels.unary(.negate, grad) }
        }
    }
}
