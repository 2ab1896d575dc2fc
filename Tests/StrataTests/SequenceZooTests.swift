import Foundation
import XCTest
@testable import Strata

/// The time-series classifiers (FCN, ResNet1d, InceptionTime; plain, causal, dilated)
/// have PyTorch's state-dict names, shapes and parameter counts, and with the same
/// weights give PyTorch's outputs in eval and in train mode (tools/make_sequence_zoo_fixtures.py
/// writes the networks from their papers and the pattern the weights are filled with).
final class SequenceZooTests: XCTestCase {
    private struct Reference: Decodable {
        struct Case: Decodable {
            let model: String
            let channels: Int
            let classes: Int
            let input: [Int]
            let parameters: Int
            let state: [[JSONValue]]
            let eval: [Float]
            let train: [Float]
        }
        let cases: [String: Case]
    }

    private func reference() throws -> Reference {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/sequence_zoo/reference.json").standardized
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: path))
    }

    /// Entry `j`, element `i`: `0.1·sin(0.7·i + 1.3·j)`; running variances `1 + 5·|…|`.
    private func fill(_ model: Module) throws {
        var values: [String: Tensor] = [:]
        for (index, (name, tensor)) in model.stateDict().enumerated() {
            if name.hasSuffix("num_batches_tracked") { values[name] = tensor; continue }
            let pattern = (0..<tensor.count).map { element -> Float in
                let value = 0.1 * sin(0.7 * Double(element) + 1.3 * Double(index))
                return Float(name.hasSuffix("running_var") ? 1 + 5 * Swift.abs(value) : value)
            }
            values[name] = try Tensor(pattern, shape: tensor.shape)
        }
        XCTAssertTrue(try model.loadStateDict(values).isExact)
    }

    func testEveryVariantMatchesPyTorch() throws {
        let cases = try reference().cases
        XCTAssertEqual(cases.count, 12)
        for (key, expected) in cases.sorted(by: { $0.key < $1.key }) {
            let model = try Models.named(expected.model, inputShape: [expected.channels, expected.input[2]], classes: expected.classes)
            XCTAssertEqual(model.stateDict().map(\.0), expected.state.map { $0[0].string ?? "" }, "\(key): names and order")
            XCTAssertEqual(model.stateDict().map(\.1.shape), expected.state.map { $0[1].integers ?? [] }, "\(key): shapes")
            XCTAssertEqual(model.parameters().reduce(0) { $0 + $1.count }, expected.parameters, key)
            try fill(model)
            let (batch, channels, length) = (expected.input[0], expected.input[1], expected.input[2])
            var values: [Float] = []
            for sample in 0..<batch {
                for channel in 0..<channels {
                    for step in 0..<length {
                        values.append(Float(sin(0.05 * Double(channel + 1) * Double(step) + Double(sample))))
                    }
                }
            }
            let input = try Tensor(values, shape: expected.input)
            for (mode, reference) in [(false, expected.eval), (true, expected.train)] {
                model.train(mode)
                let output = try withoutGradients { () throws(StrataError) in try model(input) }
                XCTAssertEqual(output.shape, [batch, expected.classes], key)
                let worst = zip(output.toArray(), reference).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-4, "\(key) in \(mode ? "train" : "eval") mode")
            }
        }
    }

    func testCausalVariantsDoNotLookAhead() throws {
        for name in ["fcn-causal", "resnet1d-causal", "inception-time-causal"] {
            Random.seed(1)
            let model = try Models.named(name, inputShape: [2, 40], classes: 3)
            model.eval()
            // everything up to the global pooling: the features at step t must not change
            // when steps after t change
            let features = Sequential(named: model.chainedStages.dropLast(2).map { ($0.path, $0.module) })
            let input = try Tensor.randn([1, 2, 40])
            var changed = input.toArray()
            for channel in 0..<2 { for step in 30..<40 { changed[channel * 40 + step] += 3 } }
            let before = try features(input).slice(axis: 2, start: 0, end: 30).toArray()
            let after = try features(try Tensor(changed, shape: [1, 2, 40])).slice(axis: 2, start: 0, end: 30).toArray()
            XCTAssertEqual(before, after, name)
            let plain = try Models.named(String(name.dropLast(7)), inputShape: [2, 40], classes: 3)
            plain.eval()
            let plainFeatures = Sequential(named: plain.chainedStages.dropLast(2).map { ($0.path, $0.module) })
            XCTAssertNotEqual(try plainFeatures(input).slice(axis: 2, start: 0, end: 30).toArray(),
                              try plainFeatures(try Tensor(changed, shape: [1, 2, 40])).slice(axis: 2, start: 0, end: 30).toArray(),
                              "\(name): the non-causal network does look ahead")
        }
    }

    func testSummariesReportTheReceptiveFieldDilationGrows() throws {
        func field(_ name: String) throws -> Int {
            let rows = try summary(try Models.named(name, inputShape: [1, 300], classes: 2), input: [1, 300]).rows
            return rows.compactMap { $0.receptiveField?.first }.max() ?? 0
        }
        XCTAssertEqual(try field("fcn"), 14)
        XCTAssertEqual(try field("fcn-dilated"), 1 + 7 + 8 + 8)
        XCTAssertEqual(try field("resnet1d"), 1 + 3 * 13)
        XCTAssertEqual(try field("resnet1d-dilated"), 1 + 13 + 26 + 52)
        XCTAssertGreaterThan(try field("inception-time"), 6 * 39)
    }
}
