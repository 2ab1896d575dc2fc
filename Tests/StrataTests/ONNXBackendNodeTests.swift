import Foundation
import XCTest
@testable import Strata

/// ONNX's own conformance cases (`onnx/backend/test/data/node` of onnx 1.22.0, the last
/// release that ships them; `make test` installs it in the test environment): every case
/// whose nodes are all of op types the importer supports is imported; those it accepts
/// (it rejects, at import, attribute values and ranks it does not claim) must give ONNX's
/// expected outputs within the suite's tolerance.
final class ONNXBackendNodeTests: XCTestCase {
    private func nodeCases() throws -> URL {
        let (status, output) = try ReferencePython.run(
            "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'backend', 'test', 'data', 'node'))")
        guard status == 0 else {
            throw StrataError.io(path: ReferencePython.path, message: "onnx 1.22.0 must be installed in the test environment (make test-deps): \(output)")
        }
        return URL(fileURLWithPath: output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func tensor(_ file: URL) throws -> Tensor {
        try ONNXTensorData(modelPath: file.path).tensor(try Onnx_TensorProto(serializedBytes: Data(contentsOf: file)))
    }

    func testEveryCaseOfASupportedOpThatImportsPasses() throws {
        let root = try nodeCases()
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        var passed: [String] = [], failed: [String] = [], rejected: [String] = []
        for name in cases {
            let folder = root.appendingPathComponent(name)
            let modelFile = folder.appendingPathComponent("model.onnx")
            guard let data = try? Data(contentsOf: modelFile),
                  let proto = try? Onnx_ModelProto(serializedBytes: data),
                  !proto.graph.node.isEmpty,
                  Set(proto.graph.node.map(\.opType)).isSubset(of: ONNXOperators.table.keys) else { continue }
            let model: ONNXModel
            var feeds: [String: Tensor] = [:]
            do {
                model = try ONNXModel.decode(data, path: modelFile.path)
                let set = folder.appendingPathComponent("test_data_set_0")
                for (index, input) in model.inputNames.enumerated() {
                    feeds[input] = try tensor(set.appendingPathComponent("input_\(index).pb"))
                }
            } catch {
                let reason = "\(error)".replacingOccurrences(of: modelFile.path, with: "").split(separator: "\n").dropFirst().first ?? "\(error)"
                rejected.append("\(name): \(reason.trimmingCharacters(in: .whitespaces).prefix(160))")
                continue
            }
            model.eval()
            do {
                let outputs = try withoutGradients { try model.run(feeds) }
                var mismatch: String?
                for (index, output) in model.outputNames.enumerated() {
                    let expected = try tensor(folder.appendingPathComponent("test_data_set_0/output_\(index).pb"))
                    guard let actual = outputs[output], actual.shape == expected.shape else {
                        mismatch = "output \(index): shape \(outputs[output].map { "\($0.shape)" } ?? "none") vs \(expected.shape)"
                        break
                    }
                    let (a, b) = (actual.toFloat().toArray(), expected.toFloat().toArray())
                    if let i = a.indices.first(where: { !(Swift.abs(a[$0] - b[$0]) <= 1e-5 + 1e-3 * Swift.abs(b[$0]) || (a[$0].isNaN && b[$0].isNaN) || a[$0] == b[$0]) }) {
                        mismatch = "output \(index) element \(i): \(a[i]) vs \(b[i])"
                        break
                    }
                }
                if let mismatch { failed.append("\(name): \(mismatch)") } else { passed.append(name) }
            } catch {
                failed.append("\(name): \(error)")
            }
        }
        print("ONNX node tests: \(passed.count) passed, \(failed.count) failed, \(rejected.count) rejected at import")
        for line in rejected { print("  rejected \(line)") }
        XCTAssertEqual(failed, [], "node tests the importer accepts but does not pass")
        XCTAssertGreaterThan(passed.count, 150)
    }
}
