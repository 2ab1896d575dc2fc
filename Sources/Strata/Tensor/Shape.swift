/// Shape arithmetic shared by every tensor operation.
enum Shape {
    /// Number of elements of a tensor of this shape (1 for a scalar).
    static func count(_ shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// Row-major (C order) strides of a contiguous tensor of this shape.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// The shape two operands broadcast to under NumPy/PyTorch rules: shapes are aligned
    /// on the right; each pair of sizes must be equal or one of them 1.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) throws(StrataError) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                throw .shapeMismatch(
                    op: op,
                    message: "shapes \(describe(a)) and \(describe(b)) cannot be broadcast: "
                        + "size \(da) vs \(db) at axis \(i - rank) (sizes must be equal or one of them 1)")
            }
        }
        return result
    }

    /// Resolves a possibly negative axis against a rank, throwing when out of range.
    static func normalizeAxis(_ axis: Int, rank: Int, op: String) throws(StrataError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < Swift.max(rank, 1) else {
            throw .invalidArgument(op: op, message: "axis \(axis) is out of range for a tensor of rank \(rank) (allowed \(-Swift.max(rank, 1))...\(Swift.max(rank, 1) - 1))")
        }
        return resolved
    }

    /// The most elements one tensor may hold (2⁴⁰, 4 TiB of floats): beyond it a shape
    /// is a mistake, not a request.
    static let maximumCount = 1 << 40

    /// Checks that a shape has no negative sizes and a sane element count.
    static func validate(_ shape: [Int], op: String) throws(StrataError) {
        if let bad = shape.first(where: { $0 < 0 }) {
            throw .invalidArgument(op: op, message: "shape \(describe(shape)) has a negative size \(bad)")
        }
        var total = 1
        for size in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= maximumCount else {
                throw .invalidArgument(op: op, message: "shape \(describe(shape)) has more than 2^40 elements")
            }
            total = product
        }
    }

    /// A shape as PyTorch prints it: `[2, 3, 4]`.
    static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
