import XCTest
@testable import Strata

/// Wrong user input gives a typed error naming the op, the shapes and the expectation.
final class ErrorTests: XCTestCase {
    private func message(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        thrownError(body, file: file, line: line).map { "\($0)" } ?? ""
    }

    private func assertMentions(_ text: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        for part in parts { XCTAssertTrue(text.contains(part), "'\(part)' missing in: \(text)", file: file, line: line) }
    }

    func testOutputSizeFormula() {
        XCTAssertEqual(outputLength(input: 224, kernel: 11, stride: 4, padding: 2), 55)
        XCTAssertEqual(outputLength(input: 28, kernel: 5, stride: 1, padding: 2), 28)
        XCTAssertEqual(outputLength(input: 7, kernel: 3, stride: 2, padding: 0, dilation: 2), 2)
        XCTAssertEqual(outputLength(input: 5, kernel: 7, stride: 1, padding: 0), -1)
        XCTAssertEqual(outputLength(input: 10, kernel: 3, stride: 1, paddingBefore: 2, paddingAfter: 0), 10)
    }

    func testConvolutionKernelLargerThanInput() throws {
        let x = try Tensor.zeros([1, 3, 5, 5]), w = try Tensor.zeros([8, 3, 7, 7])
        guard case .outputTooSmall(let op, let text)? = thrownError({ _ = try conv2d(x, weight: w) }) else { return XCTFail() }
        XCTAssertEqual(op, "conv2d")
        assertMentions(text, ["height would be -1", "floor((5 + 2·0 − 1·(7 − 1) − 1)/1) + 1 = -1", "[1, 3, 5, 5]",
                              "[8, 3, 7, 7]", "padding ≥ 1", "kernel ≤ 5"])
    }

    func testConvolutionDilationOverflowIn1D() throws {
        let x = try Tensor.zeros([2, 3, 10]), w = try Tensor.zeros([4, 3, 4])
        let text = message { _ = try conv1d(x, weight: w, dilation: 4) }
        assertMentions(text, ["conv1d", "length would be", "4·(4 − 1)", "spans 13", "padded input has 10"])
    }

    func testConvolutionChannelAndRankMismatches() throws {
        let x = try Tensor.zeros([1, 4, 8, 8])
        assertMentions(message { _ = try conv2d(x, weight: try Tensor.zeros([8, 3, 3, 3])) },
                       ["conv2d", "4 channels", "[8, 3, 3, 3]", "expects 3"])
        assertMentions(message { _ = try conv2d(try Tensor.zeros([4, 8]), weight: try Tensor.zeros([8, 4, 3, 3])) },
                       ["conv2d", "N×C×H×W", "[4, 8]"])
        assertMentions(message { _ = try conv2d(x, weight: try Tensor.zeros([6, 2, 3, 3]), groups: 3) },
                       ["not divisible by groups 3"])
        assertMentions(message { _ = try conv2d(x, weight: try Tensor.zeros([8, 4, 3, 3]), bias: try Tensor.zeros([4])) },
                       ["bias must have shape [8]"])
        assertMentions(message { _ = try conv2d(x, weight: try Tensor.zeros([8, 4, 3])) }, ["weight must be 4-D"])
    }

    func testConvolutionHyperparameters() throws {
        let x = try Tensor.zeros([1, 2, 8, 8]), w = try Tensor.zeros([2, 2, 3, 3])
        assertMentions(message { _ = try conv2d(x, weight: w, stride: 0) }, ["stride must be ≥ 1, got 0"])
        assertMentions(message { _ = try conv2d(x, weight: w, padding: -1) }, ["padding must be ≥ 0"])
        assertMentions(message { _ = try conv2d(x, weight: w, dilation: [1, 2, 3]) }, ["dilation [1, 2, 3] needs 1 or 2 values"])
        assertMentions(message { _ = try conv2d(x, weight: w, stride: 2, padding: .same) }, ["'same' needs stride 1"])
        assertMentions(message { _ = try conv2d(x, weight: w, padding: .causal) }, ["'causal' is for 1-D"])
        assertMentions(message { _ = try conv2d(x, weight: w, groups: 0) }, ["groups must be ≥ 1"])
        assertMentions(message { _ = try convTranspose2d(x, weight: w, stride: 2, outputPadding: 2) },
                       ["outputPadding 2", "smaller than the stride 2"])
    }

    func testPoolingErrors() throws {
        let x = try Tensor.zeros([1, 1, 4, 4])
        assertMentions(message { _ = try maxPool2d(x, kernel: 5) }, ["maxPool2d", "height would be 0", "kernel ≤ 4"])
        assertMentions(message { _ = try maxPool2d(x, kernel: 2, padding: 2) }, ["padding 2", "half the kernel"])
        assertMentions(message { _ = try avgPool2d(x, kernel: 0) }, ["kernel must be ≥ 1"])
        assertMentions(message { _ = try maxPool1d(x, kernel: 2) }, ["maxPool1d", "N×C×L", "[1, 1, 4, 4]"])
        assertMentions(message { _ = try globalAvgPool2d(try Tensor.zeros([2, 3])) }, ["N×C×H×W"])
    }

    func testBroadcastAndReshapeErrors() throws {
        let a = try Tensor.zeros([2, 3]), b = try Tensor.zeros([4])
        guard case .shapeMismatch(let op, let text)? = thrownError({ _ = try a + b }) else { return XCTFail() }
        XCTAssertEqual(op, "add")
        assertMentions(text, ["[2, 3]", "[4]", "cannot be broadcast"])
        assertMentions(message { _ = try a.reshape([4, 2]) }, ["reshape", "[2, 3]", "[4, 2]"])
        assertMentions(message { _ = try a.reshape([-1, 4]) }, ["not a multiple of 4"])
        assertMentions(message { _ = try a.permute([0, 0]) }, ["not a permutation"])
        assertMentions(message { _ = try a.sum(axes: [2]) }, ["axis 2 is out of range for a tensor of rank 2"])
        assertMentions(message { _ = try Tensor.matmul(a, a) }, ["matmul", "inner sizes differ", "3 == 2"])
        assertMentions(message { _ = try Tensor.concat([a, b], axis: 0) }, ["concat", "tensor 1"])
        assertMentions(message { _ = try a.expand([2, 4]) }, ["only size-1 axes expand"])
        assertMentions(message { _ = try Tensor([1, 2, 3], shape: [2, 2]) }, ["3 values do not fill shape [2, 2]"])
        assertMentions(message { _ = try Tensor.zeros([2, -1]) }, ["negative size -1"])
        assertMentions(message { _ = try a.slice(axis: 0, step: 0) }, ["step must be ≥ 1"])
    }

    func testLayerAndLossErrors() throws {
        let x = try Tensor.zeros([4, 576])
        assertMentions(message { _ = try linear(x, weight: try Tensor.zeros([120, 400])) },
                       ["linear", "expects 400 input features", "[4, 576]", "has 576"])
        let logits = try Tensor.zeros([3, 5])
        guard case .dtypeMismatch(let op, let expected, let got)? = thrownError({
            _ = try crossEntropy(logits, target: try Tensor.zeros([3]))
        }) else { return XCTFail() }
        XCTAssertEqual(op, "crossEntropy")
        XCTAssertEqual(expected, .int64)
        XCTAssertEqual(got, .float32)
        assertMentions(message { _ = try crossEntropy(logits, target: try Tensor(labels: [0, 5, 1])) },
                       ["target[1] = 5", "0..<5"])
        assertMentions(message { _ = try crossEntropy(logits, target: try Tensor(labels: [0, 1])) }, ["[3, 5]", "[2]"])
        assertMentions(message { _ = try mseLoss(logits, target: try Tensor.zeros([5, 3])) }, ["mseLoss", "same shape"])
        assertMentions(message { _ = try huberLoss(logits, target: logits, delta: 0) }, ["delta must be > 0"])
        assertMentions(message { _ = try batchNorm(try Tensor.zeros([2, 3, 4]), weight: try Tensor.zeros([4]), training: true) },
                       ["weight must be", "[3]"])
        assertMentions(message { _ = try batchNorm(try Tensor.zeros([1, 3]), training: true) }, ["more than one value per channel"])
        assertMentions(message { _ = try batchNorm(try Tensor.zeros([2, 3]), training: false) }, ["runningMean and runningVar"])
        assertMentions(message { _ = try prelu(try Tensor.zeros([2, 3, 4]), weight: try Tensor.zeros([2])) }, ["[1] or [3]"])
        assertMentions(message { _ = try dropout(logits, p: 1.5, training: true) }, ["p must be in [0, 1]"])
        assertMentions(message { _ = try conv2d(try Tensor(labels: [1, 2, 3, 4], shape: [1, 1, 2, 2]), weight: try Tensor.zeros([1, 1, 1, 1])) },
                       ["expected a float32 tensor, got int64"])
    }

    func testOptimizerArguments() throws {
        let p = try Tensor.zeros([2])
        assertMentions(message { _ = try SGD(parameters: [p], learningRate: 0.1, nesterov: true) }, ["Nesterov", "momentum > 0"])
        assertMentions(message { _ = try Adam(parameters: [p], beta1: 1) }, ["beta1 must be in [0, 1)"])
        assertMentions(message { _ = try RMSprop(parameters: [p], learningRate: -1) }, ["learning rate must be ≥ 0"])
    }

    func testImpossibleBatchIsATypedErrorNotACrash() throws {
        // 10⁶ images of 64@224×224 (12.8 TB): broadcast from one, so only the op would allocate
        let image = Tensor(zerosShape: [1, 64, 224, 224])
        let batch = try image.expand([1_000_000, 64, 224, 224])
        let weight = Tensor(zerosShape: [64, 64, 3, 3])
        XCTAssertThrowsError(try conv2d(batch, weight: weight, padding: 1)) { error in
            guard case let .outOfMemory(op, requested, available) = error as? StrataError else {
                return XCTFail("expected outOfMemory, got \(error)")
            }
            XCTAssertEqual(op, "conv2d")
            XCTAssertEqual(requested, 2 * 1_000_000 * 64 * 224 * 224 * 4)
            XCTAssertEqual(available, MemoryBudget.physicalBytes)
            XCTAssertTrue("\(error)".hasPrefix("conv2d: needs 23.4 TiB but "), "\(error)")
        }
        XCTAssertThrowsError(try batch + image) { error in
            guard case .outOfMemory(op: "add", _, _) = error as? StrataError else { return XCTFail("\(error)") }
        }
        // the budget counts without overflowing on absurd shapes
        XCTAssertThrowsError(try MemoryBudget.check(op: "test", shapes: [[Int.max / 2, 3]]))
        XCTAssertNoThrow(try MemoryBudget.check(op: "test", shapes: [[1024, 1024]]))
    }
}
