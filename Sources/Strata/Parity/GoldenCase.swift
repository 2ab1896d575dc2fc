import Foundation

/// One golden case: an op, its parameters and the `.npy` files of its inputs, expected
/// outputs, upstream gradient and expected input gradients (see `../shared/fixtures/README.md`).
public struct GoldenCase: Decodable, Sendable {
    public let name: String
    public let op: String
    public let params: [String: JSONValue]
    public let inputs: [String: String]
    public let outputs: [String: String]
    public let gradOutput: String?
    public let grads: [String: String]
    public let rtol: Double
    public let atol: Double
    /// Tolerances of the gradients when they differ from the outputs' (`grad_rtol`, `grad_atol`).
    public let gradRtol: Double?
    public let gradAtol: Double?
    /// A bound on the gradients' relative L2 error, `‖g − g_ref‖₂ ≤ gradRelL2·‖g_ref‖₂`,
    /// used instead of element-wise tolerances where ReLU or max-pooling decisions at their
    /// kinks make those meaningless (`grad_rel_l2`).
    public let gradRelL2: Double?

    enum CodingKeys: String, CodingKey {
        case name, op, params, inputs, outputs, grads, rtol, atol
        case gradOutput = "grad_output"
        case gradRtol = "grad_rtol", gradAtol = "grad_atol", gradRelL2 = "grad_rel_l2"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        op = try container.decode(String.self, forKey: .op)
        params = try container.decodeIfPresent([String: JSONValue].self, forKey: .params) ?? [:]
        inputs = try container.decodeIfPresent([String: String].self, forKey: .inputs) ?? [:]
        outputs = try container.decodeIfPresent([String: String].self, forKey: .outputs) ?? [:]
        gradOutput = try container.decodeIfPresent(String.self, forKey: .gradOutput)
        grads = try container.decodeIfPresent([String: String].self, forKey: .grads) ?? [:]
        rtol = try container.decodeIfPresent(Double.self, forKey: .rtol) ?? 1e-4
        atol = try container.decodeIfPresent(Double.self, forKey: .atol) ?? 1e-5
        gradRtol = try container.decodeIfPresent(Double.self, forKey: .gradRtol)
        gradAtol = try container.decodeIfPresent(Double.self, forKey: .gradAtol)
        gradRelL2 = try container.decodeIfPresent(Double.self, forKey: .gradRelL2)
    }
}

/// A folder of golden cases: `manifest.json` and the arrays it names.
public struct GoldenCaseSet: Sendable {
    public let directory: String
    public let cases: [GoldenCase]

    private struct Manifest: Decodable {
        let cases: [GoldenCase]
    }

    /// Reads `directory/manifest.json`.
    ///
    /// - Throws: `StrataError.io` when it is missing, `corruptFile` when it is not a
    ///   manifest (the message says what the JSON decoder expected).
    public init(directory: String) throws(StrataError) {
        let path = (directory as NSString).appendingPathComponent("manifest.json")
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "no manifest.json here (expected a golden-case folder)")
        }
        do {
            cases = try JSONDecoder().decode(Manifest.self, from: data).cases
        } catch {
            throw .corruptFile(path: path, offset: 0, message: "not a golden-case manifest: \(error)")
        }
        self.directory = directory
    }

    /// Loads an array named in a case (relative to the folder).
    func array(_ relativePath: String) throws(StrataError) -> Tensor {
        try NumpyArray.read(contentsOf: path(relativePath))
    }

    /// The path of a file named in a case.
    func path(_ relativePath: String) -> String {
        (directory as NSString).appendingPathComponent(relativePath)
    }
}
