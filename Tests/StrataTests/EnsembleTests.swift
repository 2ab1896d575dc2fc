import Foundation
import XCTest
@testable import Strata

/// `Ensemble`: the log of the members' mean softmax for classes, the mean for regression;
/// and `strata train --ensemble`, whose members train from consecutive seeds.
final class EnsembleTests: XCTestCase {
    private func linear(_ weights: [Float], bias: [Float]) throws -> Linear {
        let layer = Linear(3, 2)
        XCTAssertTrue(try layer.loadStateDict(["weight": try Tensor(weights, shape: [2, 3]), "bias": try Tensor(bias, shape: [2])]).isExact)
        return layer
    }

    func testClassesGetTheLogOfTheMembersMeanProbabilities() throws {
        let first = try linear([1, 0, -1, 0.5, 2, 0], bias: [0, 0.1])
        let second = try linear([-1, 1, 0, 0, 0, 3], bias: [0.2, 0])
        let ensemble = Ensemble([first, second], combination: .probabilities)
        let input = try Tensor([0.3, -0.2, 0.5, 1, 2, -1], shape: [2, 3])
        let output = try ensemble(input).toArray()
        let (a, b) = (try first(input).toArray(), try second(input).toArray())
        for row in 0..<2 {
            func probabilities(_ logits: [Float]) -> [Double] {
                let e = (0..<2).map { Foundation.exp(Double(logits[row * 2 + $0])) }
                return e.map { $0 / (e[0] + e[1]) }
            }
            let (p, q) = (probabilities(a), probabilities(b))
            for k in 0..<2 { XCTAssertEqual(Double(output[row * 2 + k]), Foundation.log((p[k] + q[k]) / 2), accuracy: 1e-6) }
        }
        XCTAssertEqual(ensemble.stateDict().map(\.0), ["members.0.weight", "members.0.bias", "members.1.weight", "members.1.bias"])
        XCTAssertEqual(try summary(ensemble, input: [3]).parameters, 16)
    }

    func testConfidentMembersThatDisagreeStayFinite() throws {
        // logits 400 apart: each member gives the other's class a probability of e⁻⁴⁰⁰, below float32
        let first = try linear([100, 0, 0, -100, 0, 0], bias: [0, 0])
        let second = try linear([-100, 0, 0, 100, 0, 0], bias: [0, 0])
        let output = try Ensemble([first, second], combination: .probabilities)(try Tensor([2, 0, 0], shape: [1, 3])).toArray()
        // each class has mean probability ½
        XCTAssertEqual(output[0], Float(Foundation.log(0.5)), accuracy: 1e-6)
        XCTAssertEqual(output[1], Float(Foundation.log(0.5)), accuracy: 1e-6)
    }

    func testRegressionGetsTheMeanAndGradientsReachEveryMember() throws {
        let first = try linear([1, 0, -1, 0.5, 2, 0], bias: [0, 0.1])
        let second = try linear([-1, 1, 0, 0, 0, 3], bias: [0.2, 0])
        let input = try Tensor([0.3, -0.2, 0.5], shape: [1, 3])
        let mean = try Ensemble([first, second], combination: .mean)(input).toArray()
        let (a, b) = (try first(input).toArray(), try second(input).toArray())
        XCTAssertEqual(mean, zip(a, b).map { ($0 + $1) / 2 })
        for combination in [Ensemble.Combination.probabilities, .mean] {
            let ensemble = Ensemble([first, second], combination: combination)
            let mismatches = try GradientCheck.mismatches(of: { try ensemble($0[0]) }, at: [try Tensor([0.3, -0.2, 0.5, 1, 2, -1], shape: [2, 3])])
            XCTAssertTrue(mismatches.isEmpty, "\(combination): \(mismatches.prefix(3))")
            for parameter in ensemble.parameters() { parameter.grad = nil }
            try crossEntropy(try ensemble(input), target: try Tensor(labels: [1], shape: [1])).backward()
            XCTAssertTrue(ensemble.parameters().allSatisfy { ($0.grad?.toArray().contains { $0 != 0 }) ?? false }, "\(combination)")
        }
    }

    func testAnEnsembleExportsToONNXAndImportsBack() throws {
        let ensemble = Ensemble([try linear([1, 0, -1, 0.5, 2, 0], bias: [0, 0.1]), try linear([-1, 1, 0, 0, 0, 3], bias: [0.2, 0])],
                                combination: .probabilities)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-\(UUID().uuidString).onnx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ONNXExport.write(ensemble, inputShape: [3], to: path)
        let imported = try ONNXModel.load(contentsOf: path)
        let input = try Tensor([0.3, -0.2, 0.5, 1, 2, -1, 0, 0, 4], shape: [3, 3])
        assertClose(try withoutGradients { try imported(input) }, try ensemble(input), rtol: 0, atol: 1e-6)
        XCTAssertEqual(Set(imported.stateDict().map(\.0)), Set(ensemble.stateDict().map(\.0)))
    }

    func testMembersDisagreeingInShapeAreRefused() throws {
        let error = thrownError { _ = try Ensemble([Linear(3, 2), Linear(3, 4)], combination: .mean)(try Tensor(zerosShape: [1, 3])) }
        XCTAssertTrue(error?.message.contains("member 1 gives") ?? false, "\(String(describing: error))")
    }

    /// Member 0 is the network a plain run with the same seed trains; the ensemble's run folder
    /// holds each member's checkpoints, and `evaluate` combines them.
    func testTrainingAnEnsembleFromTheCLI() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let single = (folder as NSString).appendingPathComponent("single"), ensemble = (folder as NSString).appendingPathComponent("ensemble")
        let common = ["train", "--epochs", "2", "--seed", "5", "--validation", "0", "--json"]
        let (status, output) = try CLITests.strata(common + ["--output", single])
        XCTAssertEqual(status, 0, output)
        let (ensembleStatus, ensembleOutput) = try CLITests.strata(common + ["--output", ensemble, "--ensemble", "3"])
        XCTAssertEqual(ensembleStatus, 0, ensembleOutput)
        func object(_ text: String) throws -> [String: Any] {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(XCTUnwrap(text.split(separator: "\n").last).utf8)) as? [String: Any])
        }
        let plain = try object(output), combined = try object(ensembleOutput)
        let members = try XCTUnwrap(combined["members"] as? [[String: Double]])
        XCTAssertEqual(members.count, 3)
        XCTAssertEqual(members[0]["test_accuracy"], plain["test_accuracy"] as? Double)
        XCTAssertEqual(combined["parameters"] as? Int, 3 * (plain["parameters"] as? Int ?? 0))
        for member in 0..<3 {
            for file in ["last.ckpt", "model.safetensors", "log.csv"] {
                let path = (TrainingRecipe.memberFolder(ensemble, member) as NSString).appendingPathComponent(file)
                XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
            }
        }
        // without validation the members' last checkpoints are their final weights: evaluate gives the train figure
        let (evaluated, report) = try CLITests.strata(["evaluate", "--run", ensemble, "--json"])
        XCTAssertEqual(evaluated, 0, report)
        let evaluation = try object(report)
        XCTAssertEqual(evaluation["weights"] as? String, "last.ckpt")
        XCTAssertEqual(try XCTUnwrap(evaluation["test_accuracy"] as? Double), try XCTUnwrap(combined["test_accuracy"] as? Double), accuracy: 1e-9)
        let (announced, text) = try CLITests.strata(["evaluate", "--run", ensemble])
        XCTAssertEqual(announced, 0, text)
        XCTAssertTrue(text.contains("weights: last.ckpt of each of the 3 ensemble members"), text)
        let (refused, message) = try CLITests.strata(["train", "--ensemble", "0", "--output", ensemble])
        XCTAssertNotEqual(refused, 0)
        XCTAssertTrue(message.contains("--ensemble 0 is not allowed: give 1 to 64 members"), message)
    }
}
