import Foundation
import XCTest
@testable import Strata

/// Strata's networks written as ONNX: ONNX's checker accepts them, onnxruntime (both in the
/// test environment) gives Strata's logits on a batch size other than the one traced, and
/// Strata's importer reads them back.
final class ONNXExportTests: XCTestCase {
    /// Every built-in model outside the ImageNet zoo, and zoo networks of each family at 64×64.
    private static let cases: [(name: String, input: [Int], tokens: Bool)] = [
        ("lenet5", [1, 28, 28], false), ("digits-cnn", [1, 8, 8], false), ("mnist-cnn", [1, 28, 28], false),
        ("cifar-cnn", [3, 32, 32], false), ("sensor-cnn", [3, 200], false), ("digit-recognizer", [1, 28, 28], false),
        ("fcn", [3, 50], false), ("fcn-causal", [3, 50], false), ("resnet1d-dilated", [3, 50], false),
        ("inception-time", [3, 50], false), ("inception-time-causal", [3, 50], false), ("sequence-cnn", [3, 50], false),
        ("text-cnn", [40], true), ("tcn", [3, 50], false), ("forecaster", [2, 24], false),
        ("residual-forecaster", [2, 24], false), ("mlp", [4], false),
        ("resnet18", [3, 64, 64], false), ("resnext50_32x4d", [3, 64, 64], false), ("mobilenet_v2", [3, 64, 64], false),
        ("mobilenet_v3_small", [3, 64, 64], false), ("squeezenet1_1", [3, 64, 64], false),
        ("densenet121", [3, 64, 64], false), ("googlenet", [3, 64, 64], false), ("xception", [3, 96, 96], false),
        ("resnet50", [3, 64, 64], false), ("mobilenet_v3_large", [3, 64, 64], false), ("squeezenet1_0", [3, 64, 64], false),
        ("inception_v3", [3, 96, 96], false), ("alexnet", [3, 224, 224], false),
    ]

    func testOnnxruntimeGivesStrataLogitsAndTheImporterReadsThemBack() throws {
        try Self.check(Self.cases)
    }

    /// Exports each case's network, checks the file with ONNX's checker, runs it in
    /// onnxruntime on three samples and imports it back: both within 1e-4 of Strata's logits.
    /// Networks named in `patternGains` get the import tests' pattern weights at that gain
    /// instead of their initialisation.
    ///
    /// Inception v3's initialisation (truncated normal, σ 0.1) gives logits near 10⁸ without
    /// trained statistics: the pattern keeps them near 1, where 1e-4 means something.
    static func check(_ cases: [(name: String, input: [Int], tokens: Bool)],
                      patternGains: [String: Double] = ["inception_v3": 1]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var manifest: [[String: String]] = []
        var expected: [String: Tensor] = [:]
        for (name, shape, tokens) in cases {
            let model = try Models.named(name, inputShape: shape, classes: 5, vocabulary: tokens ? 100 : nil)
            if let gain = patternGains[name] { try ONNXImportTests.fill(model, gain: gain) }
            model.eval()
            let path = folder.appendingPathComponent("\(name).onnx").path
            try ONNXExport.write(model, inputShape: shape, to: path, tokens: tokens)
            // three samples: the graph was traced with two
            let batch = [3] + shape
            let input = tokens
                ? try Tensor(labels: (0..<Shape.count(batch)).map { ($0 * 7) % 100 }, shape: batch)
                : try ONNXImportTests.patternInput(batch)
            try NumpyArray.write(input, to: path + ".input.npy")
            let logits = try withoutGradients { try model(input) }
            expected[name] = logits
            manifest.append(["model": path, "input": path + ".input.npy", "output": path + ".output.npy"])
            // read back by Strata's importer
            let imported = try ONNXModel.load(contentsOf: path)
            imported.eval()
            assertClose(try withoutGradients { try imported(input) }, logits, rtol: 0, atol: 1e-4, "\(name) imported")
            XCTAssertEqual(Set(imported.stateDict().map(\.0)),
                           Set(model.stateDict().map(\.0).filter { !$0.hasSuffix("num_batches_tracked") && !$0.hasSuffix("aux_logits") }),
                           "\(name): initializers carry the state-dict names")
        }
        let manifestPath = folder.appendingPathComponent("manifest.json").path
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        let (status, output) = try ReferencePython.run("""
            import json, sys, numpy as np, onnx, onnxruntime as ort
            for case in json.load(open(sys.argv[1])):
                # the checker with shape inference: a valid model, as Netron and every runtime expect
                onnx.checker.check_model(case["model"], full_check=True)
                session = ort.InferenceSession(case["model"], providers=["CPUExecutionProvider"])
                y = session.run(None, {"input": np.load(case["input"])})[0]
                np.save(case["output"], y.astype(np.float32))
            print("ok", ort.__version__)
            """, [manifestPath])
        XCTAssertEqual(status, 0, output)
        for (name, _, _) in cases {
            let path = folder.appendingPathComponent("\(name).onnx.output.npy").path
            assertClose(try NumpyArray.read(contentsOf: path), try XCTUnwrap(expected[name]), rtol: 0, atol: 1e-4, "\(name) onnxruntime")
        }
    }

    func testAnUnexportableNetworkSaysWhichLayer() throws {
        let model = Sequential(named: [("features", Sequential { Linear(4, 4); GELU() }), ("head", Linear(4, 2))])
        let error = thrownError { _ = try ONNXExport.encode(model, inputShape: [4]) }
        XCTAssertTrue(error?.message.contains("gelu") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains("features.1") ?? false, "\(String(describing: error))")
    }
}
