import Foundation

/// The seam between operations and the code that computes them.
///
/// Operations (`conv2d`, `batchNorm`, `+`, …) validate their arguments, call the current
/// backend for the numbers and record their backward rule; a backend only computes.
/// Tensors given to a backend are float32; kernels that need contiguous data say so.
/// Two backends exist: `CPUBackend` (oneDNN primitives, oneDNN sgemm, loops over both
/// cores) and `ReferenceBackend` (plain single-threaded Swift, accumulating in `Double`,
/// the test oracle). A GPU backend joins by conforming to this protocol.
public protocol Backend: Sendable {
    /// Short name (`cpu`, `reference`).
    var name: String { get }

    // MARK: Dense linear algebra

    /// `batch` row-major products `op(A)·op(B)` (+ `bias`, of `n` elements, on every row):
    /// `a` holds `batch` matrices whose `op` is `m×k` (stored `k×m` when `transposeA`), `b`
    /// `batch` whose `op` is `k×n`; the result is a new contiguous `batch×m×n` tensor.
    func matmul(_ a: Tensor, _ b: Tensor, batch: Int, m: Int, k: Int, n: Int,
                transposeA: Bool, transposeB: Bool, bias: Tensor?) -> Tensor

    // MARK: Convolution (input N×C×H×W, weight O×(C/groups)×kh×kw)

    /// The convolution, with `activation` (ReLU, ReLU6 or hard-swish; `nil` for none) applied to its
    /// output in the same pass where the backend can (oneDNN's post-op).
    func convolutionForward(input: Tensor, weight: Tensor, bias: Tensor?,
                            geometry: ConvolutionGeometry, activation: Activation?) -> Tensor
    /// Gradient of the input (shape `inputShape`) from the gradient of the output.
    func convolutionBackwardData(gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                 geometry: ConvolutionGeometry) -> Tensor
    /// Gradients of the weight (shape `weightShape`) and, when `withBias`, of the bias.
    func convolutionBackwardWeights(input: Tensor, gradOutput: Tensor, weightShape: [Int],
                                    geometry: ConvolutionGeometry, withBias: Bool) -> (weight: Tensor, bias: Tensor?)
    /// The gradients of the input (when `needsInput`), the weight (when `needsWeight`) and the
    /// bias (when `withBias`) from one output gradient, as PyTorch's `convolution_backward`:
    /// a backend may convert `gradOutput` once for both passes. `nil` for what was not asked.
    func convolutionBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                             needsInput: Bool, needsWeight: Bool, withBias: Bool) -> (input: Tensor?, weight: Tensor?, bias: Tensor?)

    // MARK: Pooling (N×C×H×W)

    /// The pooled output and, for max pooling when `training`, a backend-specific record
    /// of the chosen positions for the backward pass (may be `nil`).
    func poolingForward(input: Tensor, geometry: PoolingGeometry, training: Bool) -> (output: Tensor, workspace: AnyObject?)
    /// Gradient of the input; `workspace` is what `poolingForward` returned (or `nil`).
    func poolingBackward(gradOutput: Tensor, input: Tensor, workspace: AnyObject?,
                         geometry: PoolingGeometry) -> Tensor

    // MARK: Batch normalisation (N×C×spatial…, statistics per channel)

    /// Normalises with batch statistics; returns the output, the batch mean and the
    /// biased batch variance (both of shape `[C]`).
    func batchNormTraining(input: Tensor, weight: Tensor, bias: Tensor,
                           eps: Float) -> (output: Tensor, mean: Tensor, variance: Tensor)
    /// Normalises with the given (running) statistics.
    func batchNormInference(input: Tensor, weight: Tensor, bias: Tensor, mean: Tensor,
                            variance: Tensor, eps: Float) -> Tensor
    /// Gradients of input, weight (γ) and bias (β). `training` says whether `mean` and
    /// `variance` were the batch statistics (then they depend on the input).
    func batchNormBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, mean: Tensor,
                           variance: Tensor, eps: Float,
                           training: Bool) -> (input: Tensor, weight: Tensor, bias: Tensor)

    // MARK: Point-wise

    func activationForward(_ activation: Activation, input: Tensor) -> Tensor
    /// Gradient of the input; `output` is the forward's result (some rules use it).
    func activationBackward(_ activation: Activation, gradOutput: Tensor, input: Tensor, output: Tensor) -> Tensor
    /// `a ∘ b` with broadcasting to `shape`; operands may be any strided views.
    func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor
    func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor

    // MARK: Along one axis

    /// Sum over `axis`, keeping it with size 1.
    func sum(_ x: Tensor, axis: Int) -> Tensor
    /// Maximum (or minimum) over `axis`, keeping it with size 1, and the int64 index of
    /// the first extremum.
    func extremum(_ x: Tensor, axis: Int, maximum: Bool) -> (values: Tensor, indices: Tensor)
    /// Softmax (or log-softmax) over `axis`.
    func softmaxForward(input: Tensor, axis: Int, log: Bool) -> Tensor
    func softmaxBackward(gradOutput: Tensor, output: Tensor, axis: Int, log: Bool) -> Tensor

    // MARK: Rows of a table (embeddings)

    /// The rows of `table` (`V×D`) that the int64 `indices` name (each in `0..<V`): `indices.count×D`.
    func gatherRows(_ table: Tensor, indices: Tensor) -> Tensor
    /// A new `rows×D` tensor of zeros with each row `i` of `source` (`indices.count×D`) added
    /// into row `indices[i]`, except where `indices[i] == skipping` (gather's backward).
    func scatterAddRows(_ source: Tensor, indices: Tensor, rows: Int, skipping: Int?) -> Tensor

    // MARK: Optimizers

    /// One step of `rule` on `parameter` in place from `gradient`, updating the rule's
    /// `buffers` in place (all contiguous float32 of the parameter's shape); `step` updates
    /// came before this one.
    func optimizerUpdate(_ rule: OptimizerRule, parameter: Tensor, gradient: Tensor, buffers: [Tensor], step: Int,
                         learningRate: Float, weightDecay: Float)
}

/// The backend operations use: the current task's choice, else the fast CPU backend.
public enum Backends {
    /// The fast path: oneDNN primitives and sgemm, loops over every core.
    public static let cpu: any Backend = CPUBackend()
    /// Plain single-threaded Swift, the test oracle.
    public static let reference: any Backend = ReferenceBackend()

    @TaskLocal static var selected: (any Backend)?

    /// The backend when no task chose one: `STRATA_BACKEND=reference` selects the reference
    /// backend for a whole process (`make test-reference`), anything else or nothing the CPU one.
    public static let processDefault: any Backend =
        ProcessInfo.processInfo.environment["STRATA_BACKEND"] == "reference" ? reference : cpu

    /// The backend operations on this task or thread currently run on.
    public static var current: any Backend { selected ?? processDefault }
}

/// Runs `body` with every operation computed by `backend` (e.g. `Backends.reference`).
public func withBackend<T, E: Error>(_ backend: any Backend, _ body: () throws(E) -> T) throws(E) -> T {
    let result: Result<T, E> = Backends.$selected.withValue(backend) { Result { () throws(E) in try body() } }
    return try result.get()
}
