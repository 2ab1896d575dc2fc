/// Element-wise comparisons with broadcasting. Results are float tensors of 1 (true) and
/// 0 (false) without gradient; int64 operands are compared by value.
extension Tensor {
    private func compare(_ op: BinaryOp, _ other: Tensor, _ name: String) throws(StrataError) -> Tensor {
        let a = toFloat(), b = other.toFloat()
        let shape = try Tensor.broadcastShape(a, b, op: name)
        return Kernels.backend.binary(op, a, b, shape: shape)
    }

    public func equal(_ other: Tensor) throws(StrataError) -> Tensor { try compare(.equal, other, "equal") }
    public func notEqual(_ other: Tensor) throws(StrataError) -> Tensor { try compare(.notEqual, other, "notEqual") }
    public func less(_ other: Tensor) throws(StrataError) -> Tensor { try compare(.less, other, "less") }
    public func lessEqual(_ other: Tensor) throws(StrataError) -> Tensor { try compare(.lessEqual, other, "lessEqual") }
    public func greater(_ other: Tensor) throws(StrataError) -> Tensor { try compare(.greater, other, "greater") }
    public func greaterEqual(_ other: Tensor) throws(StrataError) -> Tensor { try compare(.greaterEqual, other, "greaterEqual") }

    public func equal(_ value: Float) -> Tensor { try! compare(.equal, Tensor(scalar: value), "equal") }
    public func less(_ value: Float) -> Tensor { try! compare(.less, Tensor(scalar: value), "less") }
    public func greater(_ value: Float) -> Tensor { try! compare(.greater, Tensor(scalar: value), "greater") }
}
