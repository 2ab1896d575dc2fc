import XCTest
@testable import Strata

final class SummaryTests: XCTestCase {
    func testParameterCountsEqualPyTorch() throws {
        // sum(p.numel() for p in m.parameters()) for the networks of shared/bench/torch_reference.py
        XCTAssertEqual(try summary(Models.lenet5(), input: [1, 28, 28]).parameters, 61_706)
        XCTAssertEqual(try summary(Models.cifarCNN(), input: [3, 32, 32]).parameters, 289_194)
        XCTAssertEqual(try summary(Models.sensorCNN(), input: [3, 200]).parameters, 51_078)
    }

    func testLeNetShapesFlopsAndReceptiveFields() throws {
        let lenet = try summary(Models.lenet5(), input: [1, 28, 28])
        XCTAssertEqual(lenet.rows.map { ShapeNotation.describe($0.outputShape) },
                       ["6@28×28", "6@28×28", "6@14×14", "16@10×10", "16@10×10", "16@5×5", "400", "120", "120", "84", "84", "10"])
        XCTAssertEqual(lenet.rows[0].layer, "Conv2d 1→6, k5×5, s1, p2, d1")
        XCTAssertEqual(lenet.rows[0].flops, 6 * 28 * 28 * (2 * 25 + 1))
        // conv k5 → 5; pool k2 s2 → 6, jump 2; conv k5 → 6 + 4·2 = 14; pool → 16, jump 4
        XCTAssertEqual(lenet.rows[0].receptiveField, [5, 5])
        XCTAssertEqual(lenet.rows[2].receptiveField, [6, 6])
        XCTAssertEqual(lenet.rows[2].jump, [2, 2])
        XCTAssertEqual(lenet.rows[3].receptiveField, [14, 14])
        XCTAssertEqual(lenet.rows[5].receptiveField, [16, 16])
        XCTAssertEqual(lenet.rows[5].jump, [4, 4])
        XCTAssertNil(lenet.rows[6].receptiveField)
        XCTAssertEqual(lenet.sizeMiB, Double(61_706 * 4) / 1_048_576, accuracy: 1e-9)
        XCTAssertTrue(lenet.description.contains("Total params: 61,706"), lenet.description)
    }

    func testDilatedStackReceptiveFieldByHand() throws {
        // stem k3: 1 + 2 = 3; then k3 with dilation d adds 2·d: 3 + 2 = 5, + 4 = 9, + 8 = 17, + 16 = 33
        let sensor = try summary(Models.sensorCNN(), input: [3, 200])
        let convRows = sensor.rows.filter { $0.layer.hasPrefix("Conv1d") }
        XCTAssertEqual(convRows.map { $0.receptiveField ?? [] }, [[3], [5], [9], [17], [33]])
        XCTAssertTrue(convRows.allSatisfy { $0.jump == [1] && $0.outputShape == [1, 64, 200] })
        XCTAssertEqual(convRows[3].layer, "Conv1d 64→64, k3, s1, p4, d4")
    }

    func testMismatchIsExplainedAtSummaryTime() throws {
        // LeNet-5 (made for 28×28) on 32×32 images: 32 → pool 16 → conv 12 → pool 6
        guard case .shapeMismatch(_, let message)? = thrownError({ _ = try summary(Models.lenet5(), input: [1, 32, 32]) }) else {
            return XCTFail()
        }
        XCTAssertTrue(message.contains("layer f1 (Linear 400→120)"), message)
        XCTAssertTrue(message.contains("expects 400 input features but gets 576"), message)
        XCTAssertTrue(message.contains("use Linear(576, 120)"), message)
        XCTAssertTrue(message.contains("it follows flatten (Flatten), which gives 576 = 16@6×6"), message)
    }

    func testTooSmallInputNamesTheLayerAndFormula() throws {
        guard case .shapeMismatch(_, let message)? = thrownError({ _ = try summary(Models.lenet5(), input: [1, 8, 8]) }) else {
            return XCTFail()
        }
        XCTAssertTrue(message.contains("layer c2 (Conv2d 6→16, k5×5, s1, p0, d1) on input 6@4×4"), message)
        XCTAssertTrue(message.contains("floor((4 + 2·0 − 1·(5 − 1) − 1)/1) + 1 = 0"), message)
    }
}
