import Foundation

/// Model weights from a file in any format Strata reads, told apart by their first bytes:
/// safetensors, PyTorch `.pth`/`.pt` (zip or legacy; see `TorchCheckpoint`).
public enum WeightsFile {
    /// Every tensor of the file by name, in the file's order where it has one.
    ///
    /// - Throws: `StrataError.io` when unreadable, `corruptFile` when the bytes match no
    ///   format or the format's rules, `disallowedGlobal` for a pickle that would run code.
    public static func read(contentsOf path: String) throws(StrataError) -> [(String, Tensor)] {
        guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the file") }
        let head = [UInt8](data.prefix(9))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.first == 0x80 {
            return try TorchCheckpoint.decode(data, path: path)
        }
        if head.count == 9, head[8] == UInt8(ascii: "{") {
            return try Safetensors.decode(data, path: path).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        throw .corruptFile(path: path, offset: 0, message: "neither safetensors (8-byte length, then '{') nor a PyTorch .pth (zip 'PK' or pickle 0x80)")
    }
}

/// A regular-expression rule that renames state-dict keys of checkpoints from other code,
/// written `old=new` (the replacement may use `$1` … for groups):
/// `^backbone\.=features.` or `^fc\.(weight|bias)$=classifier.1.$1`.
public struct KeyRenaming: Sendable, CustomStringConvertible {
    public let pattern: String
    public let replacement: String
    private let expression: NSRegularExpression

    /// - Throws: `StrataError.invalidArgument` when the rule has no `=` or the pattern is not
    ///   a regular expression.
    public init(_ rule: String) throws(StrataError) {
        guard let separator = rule.firstIndex(of: "="), separator != rule.startIndex else {
            throw .invalidArgument(op: "rename", message: "'\(rule)' is not a rule: write OLD=NEW, e.g. '^module\\.backbone\\.=features.'")
        }
        pattern = String(rule[..<separator])
        replacement = String(rule[rule.index(after: separator)...])
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            throw .invalidArgument(op: "rename", message: "'\(pattern)' is not a regular expression: \(error.localizedDescription)")
        }
    }

    /// `key` with every match of the pattern replaced.
    public func apply(_ key: String) -> String {
        expression.stringByReplacingMatches(in: key, range: NSRange(key.startIndex..., in: key), withTemplate: replacement)
    }

    public var description: String { "\(pattern)=\(replacement)" }
}
