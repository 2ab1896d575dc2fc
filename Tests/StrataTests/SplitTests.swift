import XCTest
@testable import Strata

final class SplitTests: XCTestCase {
    func testKFoldPartitionsEveryIndexOnce() {
        let folds = Splits.kFold(count: 23, k: 5, seed: 1)
        XCTAssertEqual(folds.count, 5)
        XCTAssertEqual(folds.flatMap(\.validation).sorted(), Array(0..<23))
        for fold in folds {
            XCTAssertEqual(Set(fold.train).intersection(fold.validation), [])
            XCTAssertEqual(fold.train.count + fold.validation.count, 23)
        }
    }

    func testStratifiedKFoldKeepsClassShares() {
        let labels = (0..<100).map { $0 < 80 ? 0 : 1 }
        for fold in Splits.stratifiedKFold(labels: labels, k: 5, seed: 2) {
            XCTAssertEqual(fold.validation.count, 20)
            XCTAssertEqual(fold.validation.filter { labels[$0] == 1 }.count, 4)
        }
    }

    func testChronologicalAndWalkForward() {
        let split = Splits.chronological(count: 100, validation: 0.15, test: 0.15)
        XCTAssertEqual(split.train, 0..<70)
        XCTAssertEqual(split.validation, 70..<85)
        XCTAssertEqual(split.test, 85..<100)
        XCTAssertEqual(Splits.chronological(count: 100, validation: 10, test: 20).validation, 70..<80, "counts work too")
        let expanding = Splits.walkForward(count: 100, folds: 3, testSize: 10, gap: 2)
        XCTAssertEqual(expanding.map(\.test), [70..<80, 80..<90, 90..<100])
        XCTAssertEqual(expanding.map(\.train), [0..<68, 0..<78, 0..<88])
        let sliding = Splits.walkForward(count: 100, folds: 2, testSize: 10, trainSize: 30, expanding: false)
        XCTAssertEqual(sliding.map(\.train), [50..<80, 60..<90])
    }

    func testCrossValidationScalerSeesOnlyTrainingRows() throws {
        // one sample with a huge value: folds that hold it out must not feel it
        var values = [Float](repeating: 1, count: 20 * 2)
        for i in 0..<20 { values[2 * i] = Float(i % 4) }
        values[2 * 7] = 1_000_000
        let samples = try TensorDataset(inputs: try Tensor(values, shape: [20, 1, 2]),
                                        targets: try Tensor(labels: (0..<20).map { $0 % 2 }), classNames: ["a", "b"])
        let data = LoadedData(name: "toy", train: samples, validation: nil, test: samples,
                              task: .classification(classNames: ["a", "b"]), targetScale: 1, baselines: [:],
                              defaultNormalization: .standard)
        let folds = try TrainingRecipe().preparedFolds(4, data: data)
        let splits = Splits.stratifiedKFold(labels: samples.labels, k: 4, seed: 0)
        for (fold, split) in zip(folds, splits) {
            let trainingValues = split.train.flatMap { [values[2 * $0], values[2 * $0 + 1]] }
            let mean = trainingValues.reduce(0, +) / Float(trainingValues.count)
            XCTAssertEqual(fold.normalizer.offset[0], mean, accuracy: mean * 1e-5 + 1e-5)
            if split.validation.contains(7) {
                XCTAssertLessThan(fold.normalizer.offset[0], 10, "the held-out outlier leaked into the statistics")
            } else {
                XCTAssertGreaterThan(fold.normalizer.offset[0], 10_000)
            }
        }
    }

    func testFiveFoldCrossValidationOnDigits() throws {
        var recipe = TrainingRecipe()
        recipe.epochs = 10
        recipe.progress = .silent
        let result = try recipe.crossValidate(folds: 5)
        XCTAssertEqual(result.scores.count, 5)
        XCTAssertGreaterThan(result.mean, 0.95)
        XCTAssertGreaterThan(result.standardDeviation, 0)
        XCTAssertLessThan(result.standardDeviation, 0.03)
    }
}
