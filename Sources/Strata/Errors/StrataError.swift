/// Every error Strata throws for bad user input: a typed value whose description is a
/// sentence a user can act on (what was wrong, what was expected, what would fit).
///
/// Errors name the operation (`conv2d`, `reshape`, `npy reader`), the shapes or values
/// involved and the expectation. Nothing reachable from user input traps instead.
public enum StrataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Operand shapes that do not fit together (broadcasting, matmul, channels, rank).
    case shapeMismatch(op: String, message: String)
    /// A hyperparameter or argument outside its allowed range or set.
    case invalidArgument(op: String, message: String)
    /// A convolution or pooling axis whose output length would be < 1.
    case outputTooSmall(op: String, message: String)
    /// A tensor of the wrong element type (e.g. float logits where class indices belong).
    case dtypeMismatch(op: String, expected: DType, got: DType)
    /// A file whose bytes do not match its format; `offset` is where reading failed.
    case corruptFile(path: String, offset: Int, message: String)
    /// A file or directory that cannot be opened or written.
    case io(path: String, message: String)
    /// A pickle (`.pth`) that names a global Strata will not load: unpickling it in Python
    /// would import or call that name (`os.system`, a class of someone's code). Only what
    /// state dicts need is admitted.
    case disallowedGlobal(path: String, offset: Int, global: String)
    /// Training produced a non-finite loss (the message names epoch, batch and step).
    case diverged(message: String)
    /// An operation the autograd engine cannot perform (e.g. backward of a non-scalar
    /// without a gradient, or of a tensor that does not require gradients).
    case autograd(message: String)
    /// A tensor that the backward of `op` needs was modified in place after `op` ran
    /// (PyTorch's version-counter check): its storage's version differs from the saved one.
    case modifiedInPlace(op: String, tensor: String, savedVersion: Int, currentVersion: Int)
    /// An operation would need more memory than the machine can give it.
    case outOfMemory(op: String, requestedBytes: Int, availableBytes: Int)
    /// The compute library (oneDNN) reported a failure it had no other way to signal.
    case backendFailure(op: String, message: String)

    /// The explanation without the operation's name.
    public var message: String {
        switch self {
        case let .shapeMismatch(_, message), let .invalidArgument(_, message), let .outputTooSmall(_, message),
             let .corruptFile(_, _, message), let .io(_, message), let .autograd(message), let .diverged(message):
            return message
        case let .dtypeMismatch(_, expected, got):
            return "expected a \(expected) tensor, got \(got)"
        case let .disallowedGlobal(_, _, global):
            return Self.disallowedExplanation(global)
        case let .modifiedInPlace(_, tensor, savedVersion, currentVersion):
            return "\(tensor) was modified in place after the operation saved it for backward (version \(savedVersion), now \(currentVersion)); modify a copy, or run the forward pass again after the change"
        case let .outOfMemory(_, requested, available):
            return "needs \(ByteCount.describe(requested)) but \(ByteCount.describe(available)) are available; use a smaller batch or input size"
        case let .backendFailure(_, message):
            return message
        }
    }

    private static func disallowedExplanation(_ global: String) -> String {
        "refuses the pickle global '\(global)': loading it would run code from the file; a state dict needs only tensors, dicts, lists, strings and numbers (save one with torch.save(model.state_dict(), path))"
    }

    public var description: String {
        switch self {
        case let .shapeMismatch(op, message), let .invalidArgument(op, message),
             let .outputTooSmall(op, message), let .backendFailure(op, message):
            return "\(op): \(message)"
        case let .modifiedInPlace(op, _, _, _):
            return "backward of '\(op)': \(self.message)"
        case let .outOfMemory(op, _, _):
            return "\(op): \(self.message)"
        case let .dtypeMismatch(op, expected, got):
            return "\(op): expected a \(expected) tensor, got \(got)"
        case let .corruptFile(path, offset, message):
            return "\(path): at byte \(offset): \(message)"
        case let .disallowedGlobal(path, offset, global):
            return "\(path): at byte \(offset): \(Self.disallowedExplanation(global))"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .autograd(message):
            return "backward: \(message)"
        case let .diverged(message):
            return "training stopped: \(message)"
        }
    }
}
