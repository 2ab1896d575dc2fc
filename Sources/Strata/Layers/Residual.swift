/// `main(x) + shortcut(x)`, the shortcut being the identity unless given (ResNet's block
/// with or without a downsampling projection). Children are named `main` and `shortcut`.
public final class Residual: Module {
    public let main: Module
    public let shortcut: Module?

    public init(_ main: Module, shortcut: Module? = nil) {
        self.main = main
        self.shortcut = shortcut
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        let branch = try main(input)
        let skip = try shortcut.map { module throws(StrataError) in try module(input) } ?? input
        guard branch.shape == skip.shape else {
            throw .shapeMismatch(op: "Residual", message: "the main branch gives \(ShapeNotation.describe(branch.shape)) but the shortcut gives \(ShapeNotation.describe(skip.shape)); add a shortcut projection (1×1 convolution) that fits")
        }
        return try branch + skip
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        let branch = try main.outputShape(for: input)
        let skip = try shortcut?.outputShape(for: input) ?? input
        guard branch == skip else {
            throw .shapeMismatch(op: "Residual", message: "the main branch gives \(ShapeNotation.describe(branch)) but the shortcut gives \(ShapeNotation.describe(skip))")
        }
        return branch
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        let prefix = path.isEmpty ? "" : "\(path)."
        let branch = try main.summarize(into: &rows, path: prefix + "main", flow: flow)
        let skip = try shortcut?.summarize(into: &rows, path: prefix + "shortcut", flow: flow) ?? flow
        guard branch.shape == skip.shape else {
            throw .shapeMismatch(op: "summary", message: "layer \(path.isEmpty ? "Residual" : path): the main branch gives \(ShapeNotation.describe(branch.shape)) but the shortcut gives \(ShapeNotation.describe(skip.shape))")
        }
        return branch.merged(with: skip, shape: branch.shape)
    }
}

/// Runs branches on the same input and joins their outputs along the channel axis
/// (Inception's block). Children are named `0`, `1`, ….
public final class Concat: Module {
    public let branches: [Module]

    public init(_ branches: [Module]) {
        self.branches = branches
    }

    public override var namedChildren: [(String, Module)] { branches.enumerated().map { (String($0.offset), $0.element) } }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        var outputs: [Tensor] = []
        for branch in branches { outputs.append(try branch(input)) }
        return try Tensor.concat(outputs, axis: 1)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        var shapes: [[Int]] = []
        for branch in branches { shapes.append(try branch.outputShape(for: input)) }
        return try Self.joined(shapes)
    }

    static func joined(_ shapes: [[Int]]) throws(StrataError) -> [Int] {
        guard var result = shapes.first else { throw .invalidArgument(op: "Concat", message: "needs at least one branch") }
        for shape in shapes.dropFirst() {
            guard shape.count == result.count, shape.count >= 2, shape[0] == result[0], shape.dropFirst(2) == result.dropFirst(2) else {
                throw .shapeMismatch(op: "Concat", message: "branch outputs \(shapes.map(ShapeNotation.describe)) differ outside the channel axis")
            }
            result[1] += shape[1]
        }
        return result
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        var flows: [ShapeFlow] = []
        for (index, branch) in branches.enumerated() {
            flows.append(try branch.summarize(into: &rows, path: path.isEmpty ? "\(index)" : "\(path).\(index)", flow: flow))
        }
        let shape: [Int]
        do { shape = try Self.joined(flows.map(\.shape)) } catch {
            throw .shapeMismatch(op: "summary", message: "layer \(path.isEmpty ? "Concat" : path): \(error)")
        }
        return flows.dropFirst().reduce(flows[0]) { $0.merged(with: $1, shape: shape) }
    }
}
