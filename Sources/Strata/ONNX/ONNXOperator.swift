/// How Strata runs one ONNX operator type (default domain, opsets 13–21): a kernel built
/// from Strata's differentiable ops, which of its inputs are learnable when an initializer
/// feeds them, and which attribute values it cannot honour (checked at import, so one
/// error lists everything a graph needs that Strata lacks).
struct ONNXOperator: Sendable {
    typealias Kernel = @Sendable (ONNXNodeContext) throws(StrataError) -> [Tensor]

    /// Input positions whose initializers become parameters (`Conv`'s weight and bias).
    let parameterInputs: Set<Int>
    /// Input positions whose initializers become buffers (batch norm's running statistics).
    let bufferInputs: Set<Int>
    /// Why a node cannot be run (`nil`: it can), judged from its attributes and inputs.
    let unsupported: @Sendable (ONNXNodeSignature) -> String?
    let run: Kernel

    init(parameters: Set<Int> = [], buffers: Set<Int> = [],
         unsupported: @escaping @Sendable (ONNXNodeSignature) -> String? = { _ in nil }, run: @escaping Kernel) {
        self.parameterInputs = parameters
        self.bufferInputs = buffers
        self.unsupported = unsupported
        self.run = run
    }

    /// A kernel with one output.
    static func single(parameters: Set<Int> = [], buffers: Set<Int> = [],
                       unsupported: @escaping @Sendable (ONNXNodeSignature) -> String? = { _ in nil },
                       _ body: @escaping @Sendable (ONNXNodeContext) throws(StrataError) -> Tensor) -> ONNXOperator {
        ONNXOperator(parameters: parameters, buffers: buffers, unsupported: unsupported) { context throws(StrataError) in
            [try body(context)]
        }
    }
}

/// What the importer knows of a node before running it.
struct ONNXNodeSignature {
    let attributes: ONNXAttributes
    /// Each input's rank where the graph declares it (`nil`: unknown or omitted).
    let inputRanks: [Int?]
    /// Whether input `index` is given (not omitted).
    let givenInputs: [Bool]

    func gives(_ index: Int) -> Bool { index < givenInputs.count && givenInputs[index] }
}

/// The operators the importer supports, by ONNX op type.
enum ONNXOperators {
    static let table: [String: ONNXOperator] = convolution
        .merging(elementwise) { first, _ in first }
        .merging(linear) { first, _ in first }
        .merging(shapes) { first, _ in first }

    /// The opsets of the default domain whose semantics these kernels follow (22–25 only
    /// added element types to these operators; ONNX's node tests at those opsets pass).
    static let opsets = 13...25

    /// An attribute that must have one of `allowed` values (`nil` if it does).
    static func expect(_ node: ONNXNodeSignature, _ name: String, in allowed: [String], default fallback: String) -> String? {
        let value = (try? node.attributes.string(name, default: fallback)) ?? "?"
        return allowed.contains(value) ? nil : "\(name)=\(value) (supported: \(allowed.joined(separator: ", ")))"
    }

    /// An integer attribute that must have one of `allowed` values (`nil` if it does).
    static func expect(_ node: ONNXNodeSignature, _ name: String, in allowed: [Int], default fallback: Int) -> String? {
        let value = (try? node.attributes.int(name, default: fallback)) ?? -1
        return allowed.contains(value) ? nil : "\(name)=\(value) (supported: \(allowed.map(String.init).joined(separator: ", ")))"
    }
}
