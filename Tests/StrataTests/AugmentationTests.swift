import XCTest
@testable import Strata

/// The exact effect of each augmentation on a known input, and how they are drawn.
final class AugmentationTests: XCTestCase {
    /// A 1×3×3 image with values 1…9.
    private let image: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    private let shape = [1, 3, 3]

    func testFlips() {
        XCTAssertEqual(HorizontalFlip().apply(image, shape: shape, parameters: true), [3, 2, 1, 6, 5, 4, 9, 8, 7])
        XCTAssertEqual(VerticalFlip().apply(image, shape: shape, parameters: true), [7, 8, 9, 4, 5, 6, 1, 2, 3])
        XCTAssertEqual(HorizontalFlip().apply(image, shape: shape, parameters: false), image)
        var generator = RandomGenerator(seed: 1)
        let flips = (0..<1000).filter { _ in HorizontalFlip(p: 0.3).draw(&generator, shape: shape) }.count
        XCTAssertEqual(Double(flips) / 1000, 0.3, accuracy: 0.05)
    }

    func testCropWithPaddingShiftsInZeros() {
        // padding 1, window corner (0, 2) in the padded image: up by 1 row, right by 1 column
        XCTAssertEqual(RandomCrop(padding: 1).apply(image, shape: shape, parameters: (top: 0, left: 2)), [0, 0, 0, 2, 3, 0, 5, 6, 0])
        XCTAssertEqual(RandomCrop(padding: 1).apply(image, shape: shape, parameters: (top: 1, left: 1)), image)
    }

    func testCropIsTheBilinearResampleAtWholePixelShifts() throws {
        // three channels of 5×7, every corner of padding 6 (shifts past the whole image included)
        var rng = RandomGenerator(seed: 3)
        let shape = [3, 5, 7], sample = try Tensor.randn(shape, generator: &rng).toArray()
        let crop = RandomCrop(padding: 6)
        for top in 0...12 {
            for left in 0...12 {
                XCTAssertEqual(crop.apply(sample, shape: shape, parameters: (top: top, left: left)),
                               ImageGeometry.resample(sample, shape) { y, x in (y + Double(top - 6), x + Double(left - 6)) },
                               "corner (\(top), \(left))")
            }
        }
        let mirrored = HorizontalFlip().apply(sample, shape: shape, parameters: true)
        XCTAssertEqual(mirrored, ImageGeometry.resample(sample, shape) { y, x in (y, 6 - x) })
    }

    func testRotationByNinetyDegrees() {
        let rotated = RandomRotation(maxDegrees: 90).apply(image, shape: shape, parameters: 90)
        // counter-clockwise: the first row becomes the first column read upwards
        XCTAssertEqual(rotated.map { ($0 * 1000).rounded() / 1000 }, [3, 6, 9, 2, 5, 8, 1, 4, 7])
    }

    func testTranslationZoomBrightnessAndCutout() {
        XCTAssertEqual(RandomTranslation(maxFraction: 0.5).apply(image, shape: shape, parameters: (dy: 1, dx: 0)),
                       [0, 0, 0, 1, 2, 3, 4, 5, 6])
        // zoom 2× about the centre (1, 1): output (0, 0) reads the input at (0.5, 0.5)
        let zoomed = RandomZoom(range: 2...2).apply(image, shape: shape, parameters: 2)
        XCTAssertEqual(zoomed[0], 3, accuracy: 1e-6)
        XCTAssertEqual(zoomed[4], 5, accuracy: 1e-6)
        // contrast ×2 about the mean 5, brightness +1
        XCTAssertEqual(BrightnessContrast(brightness: 1, contrast: 1).apply(image, shape: shape, parameters: (shift: 1, factor: 2)),
                       [-2, 0, 2, 4, 6, 8, 10, 12, 14])
        XCTAssertEqual(Cutout(size: 2).apply(image, shape: shape, parameters: (y: 1, x: 1)), [0, 0, 3, 0, 0, 6, 7, 8, 9])
        XCTAssertEqual(GaussianNoise(std: 1).apply(image, shape: shape, parameters: [Float](repeating: 0.5, count: 9)),
                       image.map { $0 + 0.5 })
    }

    /// A 2×5 sequence: channel 0 = 0…4, channel 1 = 10…14.
    private let series: [Float] = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]
    private let seriesShape = [2, 5]

    func testSequenceAugmentations() {
        XCTAssertEqual(Scaling(std: 0.1).apply(series, shape: seriesShape, parameters: [2, 0.5]), [0, 2, 4, 6, 8, 5, 5.5, 6, 6.5, 7])
        XCTAssertEqual(RandomShift(maxShift: 2).apply(series, shape: seriesShape, parameters: 2), [0, 0, 0, 1, 2, 0, 0, 10, 11, 12])
        XCTAssertEqual(RandomShift(maxShift: 2).apply(series, shape: seriesShape, parameters: -1), [1, 2, 3, 4, 0, 11, 12, 13, 14, 0])
        XCTAssertEqual(Jitter(std: 1).apply(series, shape: seriesShape, parameters: [Float](repeating: -1, count: 10)), series.map { $0 - 1 })
        // a flat magnitude curve of 2 doubles every value
        XCTAssertEqual(MagnitudeWarp(knots: 2).apply(series, shape: seriesShape, parameters: [[2, 2, 2, 2], [1, 1, 1, 1]]),
                       [0, 2, 4, 6, 8, 10, 11, 12, 13, 14])
        // constant speed is the identity warp
        XCTAssertEqual(TimeWarp(knots: 2).apply(series, shape: seriesShape, parameters: [1, 1, 1, 1]), series)
        // the window 1…4 (ratio 0.8 of 5) stretched to 5 steps: 1, 1.75, 2.5, 3.25, 4
        XCTAssertEqual(WindowSlice(ratio: 0.8).apply(series, shape: seriesShape, parameters: 1),
                       [1, 1.75, 2.5, 3.25, 4, 11, 11.75, 12.5, 13.25, 14])
        // a faster start reads later input earlier, but the warp keeps both ends
        let warp = TimeWarp(knots: 2).warpedTimes([3, 3, 1, 1], length: 5)
        XCTAssertEqual(warp.first, 0)
        XCTAssertEqual(warp.last!, 4, accuracy: 1e-9)
        XCTAssertGreaterThan(warp[1], 1)
        XCTAssertEqual(warp, warp.sorted(), "monotone")
    }

    func testAugmentedDatasetIsSeededPerEpochAndSample() throws {
        let base = try TensorDataset(inputs: try Tensor((0..<18).map(Float.init), shape: [2, 1, 3, 3]),
                                     targets: try Tensor(labels: [0, 1]))
        let augmented = AugmentedDataset(base, augmentations: [RandomCrop(padding: 1), GaussianNoise(std: 0.1)], seed: 5)
        let epoch0 = try augmented.batch([0, 1], epoch: 0).inputs.toArray()
        XCTAssertEqual(try augmented.batch([0, 1], epoch: 0).inputs.toArray(), epoch0, "same epoch, same samples")
        XCTAssertNotEqual(try augmented.batch([0, 1], epoch: 1).inputs.toArray(), epoch0, "a new epoch draws anew")
        // a sample's augmentation does not depend on the batch it comes in
        XCTAssertEqual(try augmented.batch([1], epoch: 0).inputs.toArray(), Array(epoch0[9...]))
        XCTAssertEqual(try augmented.batch([0, 1], epoch: 0).targets.toLabels(), [0, 1])
    }
}
