/// Checks a convolution's arguments and brings 1-D/unbatched inputs to the backend's
/// `N×C×H×W` form.
struct ConvolutionArguments {
    /// Input as `N×C×H×W` (1-D: `N×C×1×L`).
    let input: Tensor
    /// Weight as `O×(C/groups)×kh×kw` (1-D: `O×(C/groups)×1×k`).
    let weight: Tensor
    let geometry: ConvolutionGeometry
    /// Whether the caller gave one sample without the batch axis.
    let unbatched: Bool

    /// - Parameters:
    ///   - spatialAxes: 1 for conv1d, 2 for conv2d.
    ///   - transposed: weights are `Cin×(Cout/groups)×k…` (conv_transpose).
    init(op: String, spatialAxes: Int, input x: Tensor, weight w: Tensor, bias: Tensor?,
         stride: AxisValues, padding: Padding, dilation: AxisValues, groups: Int,
         transposed: Bool = false) throws(StrataError) {
        let layout = spatialAxes == 1 ? "N×C×L (or C×L)" : "N×C×H×W (or C×H×W)"
        for tensor in [x, w] + (bias.map { [$0] } ?? []) where tensor.dtype != .float32 {
            throw .dtypeMismatch(op: op, expected: .float32, got: tensor.dtype)
        }
        guard x.rank == spatialAxes + 2 || x.rank == spatialAxes + 1 else {
            throw .shapeMismatch(op: op, message: "input must be \(layout), got shape \(Shape.describe(x.shape))")
        }
        let weightLayout = transposed ? "in_channels×(out_channels/groups)×kernel" : "filters×(in_channels/groups)×kernel"
        guard w.rank == spatialAxes + 2 else {
            throw .shapeMismatch(op: op, message: "weight must be \(spatialAxes + 2)-D \(weightLayout), got shape \(Shape.describe(w.shape))")
        }
        guard groups >= 1 else { throw .invalidArgument(op: op, message: "groups must be ≥ 1, got \(groups)") }
        unbatched = x.rank == spatialAxes + 1
        let batched = unbatched ? try x.unsqueeze(axis: 0) : x
        let channels = batched.shape[1]
        let kernel = Array(w.shape[2...])
        if let zero = (batched.shape.dropFirst(2) + kernel).first(where: { $0 < 1 }) {
            throw .shapeMismatch(op: op, message: "spatial sizes of input \(Shape.describe(x.shape)) and kernel \(Shape.describe(w.shape)) must be ≥ 1, got \(zero)")
        }
        let stride = try stride.resolve(axes: spatialAxes, name: "stride", op: op)
        let dilation = try dilation.resolve(axes: spatialAxes, name: "dilation", op: op)
        if let bad = stride.first(where: { $0 < 1 }) { throw .invalidArgument(op: op, message: "stride must be ≥ 1, got \(bad)") }
        if let bad = dilation.first(where: { $0 < 1 }) { throw .invalidArgument(op: op, message: "dilation must be ≥ 1, got \(bad)") }
        guard channels % groups == 0 else {
            throw .shapeMismatch(op: op, message: "input channels \(channels) are not divisible by groups \(groups)")
        }
        let filters = transposed ? w.shape[1] * groups : w.shape[0]
        let expectedChannels = transposed ? w.shape[0] : w.shape[1] * groups
        guard channels == expectedChannels else {
            let rule = transposed ? "weight.shape[0]" : "weight.shape[1]·groups = \(w.shape[1])·\(groups)"
            throw .shapeMismatch(op: op, message: "input \(Shape.describe(x.shape)) has \(channels) channels but weight \(Shape.describe(w.shape)) with groups \(groups) expects \(expectedChannels) (\(rule))")
        }
        guard transposed || filters % groups == 0 else {
            throw .shapeMismatch(op: op, message: "filters \(filters) (weight.shape[0]) are not divisible by groups \(groups)")
        }
        if let bias, bias.shape != [filters] {
            throw .shapeMismatch(op: op, message: "bias must have shape [\(filters)] (one value per output channel), got \(Shape.describe(bias.shape))")
        }
        let (before, after) = try padding.resolve(kernel: kernel, dilation: dilation, stride: stride, op: op)
        if !transposed {
            try Self.checkOutput(op: op, input: Array(batched.shape[2...]), kernel: kernel, stride: stride,
                                 before: before, after: after, dilation: dilation, xShape: x.shape, wShape: w.shape)
        }
        var working = [batched.shape]
        if !transposed {
            let spatial = (0..<spatialAxes).map { axis in
                floorDivide(batched.shape[2 + axis] + before[axis] + after[axis] - dilation[axis] * (kernel[axis] - 1) - 1,
                            stride[axis]) + 1
            }
            working.append([batched.shape[0], filters] + spatial)
        }
        try MemoryBudget.check(op: op, shapes: working)
        // the backend's 2-D form: 1-D data gets a height of 1
        if spatialAxes == 1 {
            input = try batched.unsqueeze(axis: 2)
            weight = try w.unsqueeze(axis: 2)
            geometry = ConvolutionGeometry(stride: [1] + stride, paddingBefore: [0] + before, paddingAfter: [0] + after,
                                           dilation: [1] + dilation, groups: groups)
        } else {
            input = batched
            weight = w
            geometry = ConvolutionGeometry(stride: stride, paddingBefore: before, paddingAfter: after,
                                           dilation: dilation, groups: groups)
        }
    }

    /// Throws `outputTooSmall` with the formula and what would fit when an axis's output < 1.
    static func checkOutput(op: String, input: [Int], kernel: [Int], stride: [Int], before: [Int], after: [Int],
                            dilation: [Int], xShape: [Int], wShape: [Int]) throws(StrataError) {
        let names = input.count == 1 ? ["length"] : ["height", "width"]
        for axis in input.indices {
            let out = outputLength(input: input[axis], kernel: kernel[axis], stride: stride[axis],
                                   paddingBefore: before[axis], paddingAfter: after[axis], dilation: dilation[axis])
            guard out < 1 else { continue }
            let formula = outputLengthFormula(input: input[axis], kernel: kernel[axis], stride: stride[axis],
                                              paddingBefore: before[axis], paddingAfter: after[axis], dilation: dilation[axis])
            let extent = dilation[axis] * (kernel[axis] - 1) + 1
            let padded = input[axis] + before[axis] + after[axis]
            let neededPadding = (extent - input[axis] + 1) / 2
            let largestKernel = (padded - 1) / dilation[axis] + 1
            throw .outputTooSmall(op: op, message: "output \(names[axis]) would be \(out) = \(formula) for input \(Shape.describe(xShape)) and kernel \(Shape.describe(wShape)): the dilated kernel spans \(extent) but the padded input has \(padded); use padding ≥ \(neededPadding) per side or a kernel ≤ \(largestKernel)")
        }
    }
}
