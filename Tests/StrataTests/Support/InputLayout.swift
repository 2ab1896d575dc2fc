@testable import Strata

/// How an op's inputs lie in memory. The op catalogue's cases run with each layout, so
/// every op reads permuted, stepped, offset and broadcast views, not only fresh
/// contiguous tensors (kernels that mishandle strides or keep a pointer into a freed
/// dense copy fail here).
///
/// A laid-out input is a contiguous *storage* tensor (the leaf whose gradient is checked)
/// and a view of it with the case's shape, which the op reads.
enum InputLayout: String, CaseIterable {
    /// The case's own contiguous tensors.
    case contiguous
    /// Stored with the axes reversed, read through `permute` (rank ≥ 2; else `stepped`).
    case permuted
    /// Every other element of a twice-as-long last axis (`slice(step: 2)`), the gaps
    /// holding a large value that must not leak into results.
    case stepped
    /// Stored after a row of large values along axis 0 (a view with an offset).
    case offset
    /// The first entry along axis 0, broadcast to the full size (stride 0): values change
    /// (all rows equal) but the case's function is the same.
    case expanded

    /// A value far outside the catalogue's ranges, stored where a view must not read.
    static let gap: Float = 1000

    /// The storage that holds `value` in this layout.
    func storage(for value: Tensor) throws -> Tensor {
        let shape = value.shape
        switch self {
        case .contiguous:
            return value
        case .permuted where shape.count >= 2:
            return try value.permute(Array((0..<shape.count).reversed())).copyToContiguous()
        case .permuted, .stepped:
            let gaps = try Tensor.full(shape, value: Self.gap)
            let interleaved = try Tensor.stack([value, gaps], axis: shape.count)
            return try interleaved.reshape(Array(shape.dropLast()) + [2 * shape[shape.count - 1]]).copyToContiguous()
        case .offset:
            let gaps = try Tensor.full([1] + shape.dropFirst(), value: Self.gap)
            return try Tensor.concat([gaps, value], axis: 0)
        case .expanded:
            return try value.slice(axis: 0, end: 1).copyToContiguous()
        }
    }

    /// The view of `storage` with the case's `shape` that the op reads.
    func view(of storage: Tensor, shape: [Int]) throws -> Tensor {
        switch self {
        case .contiguous:
            return storage
        case .permuted where shape.count >= 2:
            return try storage.permute(Array((0..<shape.count).reversed()))
        case .permuted, .stepped:
            return try storage.slice(axis: shape.count - 1, step: 2)
        case .offset:
            return try storage.slice(axis: 0, start: 1)
        case .expanded:
            return try storage.expand(shape)
        }
    }
}

extension OpCase {
    /// The same case with its inputs stored in `layout`: the inputs become the storages
    /// and the function first takes the views.
    func laidOut(_ layout: InputLayout) throws -> OpCase {
        let shapes = inputs.map(\.shape)
        let storages = try inputs.map { try layout.storage(for: $0) }
        let function = self.function
        return OpCase(name: "\(name) [\(layout.rawValue)]", inputs: storages) { storages in
            try function(zip(storages, shapes).map { try layout.view(of: $0.0, shape: $0.1) })
        }
    }
}
