import Foundation
import XCTest
@testable import Strata

/// `LevelEvidence`: whether a set's levels tell its classes apart better than its shapes, and
/// the `ucr:` default it decides for sets the archive did not z-normalise.
final class LevelEvidenceTests: XCTestCase {
    func testLeaveOneOutNearestNeighbourLeavesEachRowOut() throws {
        let rows = try Tensor([0, 1, 10, 11], shape: [4, 1])
        XCTAssertEqual(try LevelEvidence.leaveOneOutAccuracy(rows, labels: [0, 0, 1, 1]), 1)
        XCTAssertEqual(try LevelEvidence.leaveOneOutAccuracy(rows, labels: [0, 1, 0, 1]), 0, "each row's nearest other has the other label")
        XCTAssertEqual(try LevelEvidence.leaveOneOutAccuracy(rows, labels: [0, 0, 0, 1]), 0.5)
        XCTAssertEqual(try LevelEvidence.leaveOneOutAccuracy(try Tensor([3], shape: [1, 1]), labels: [0]), 0)
    }

    /// `ucr:name` loaded from 30 cases of length 64 (label `classes[i % 2]`, values
    /// `make(i, step)`) written to a UCR folder and removed again, with its training part's evidence.
    private func loadSet(_ name: String, classes: [String], _ make: (Int, Int) -> Double) throws -> (LoadedData, LevelEvidence) {
        let folder = try TestFiles.temporaryFolder("evidence").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for part in ["TRAIN", "TEST"] {
            let lines = (0..<30).map { index in
                ([classes[index % 2]] + (0..<64).map { String(make(index, $0)) }).joined(separator: "\t")
            }
            try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/\(name)/\(name)_\(part).tsv"))
        }
        let data = try LoadedData.load("ucr:\(name)", directory: folder)
        return (data, try LevelEvidence(data.train.inputs, labels: data.train.labels))
    }

    func testShapesKeepPlainZNormalisationAndLevelsAddChannels() throws {
        // sines of periods 16 and 32 at an amplitude from 0.5 to 5 that says nothing of the class
        var generator = RandomGenerator(seed: 3)
        let (waves, wavesEvidence) = try loadSet("Waves", classes: ["fast", "slow"]) { index, step in
            let amplitude = 0.5 + 4.5 * (Double(index) * 0.618034).truncatingRemainder(dividingBy: 1)   // spread, classless
            return amplitude * sin(2 * Double.pi * Double(step) / (index % 2 == 0 ? 16 : 32)) + 0.1 * Double(generator.nextNormal())
        }
        XCTAssertEqual(wavesEvidence.shape, 1)
        XCTAssertLessThan(wavesEvidence.level, 0.9)
        XCTAssertEqual(waves.defaultNormalization, .sample)
        XCTAssertEqual(waves.normalizationEvidence, "Waves is not z-normalised; \(wavesEvidence): sample")
        // one noisy sine, quiet (0.01) or loud (10): only the level tells them apart
        let (hum, humEvidence) = try loadSet("Hum", classes: ["quiet", "loud"]) { index, step in
            (index % 2 == 0 ? 0.01 : 10) * (sin(2 * Double.pi * Double(step) / 16) + 0.3 * Double(generator.nextNormal()))
        }
        XCTAssertEqual(humEvidence.level, 1)
        XCTAssertLessThan(humEvidence.shape, 0.8)
        XCTAssertEqual(hum.defaultNormalization, .sampleLevel)
        XCTAssertNil(try LoadedData.load("ucr:GunPoint", directory: SharedData.path("data/ucr-uea")).normalizationEvidence,
                     "z-normalised by the archive: nothing to decide")
    }

    func testPLAIDsLevelsTellItsAppliancesApartAndItsShapesDoNot() throws {
        // numpy on the same resampled cases (tools: leave-one-out 1-NN): levels 79.0%, shapes 49.9%
        let plaid = try LoadedData.load("ucr:PLAID", directory: SharedData.path("data/ucr-uea"))
        let evidence = try LevelEvidence(plaid.train.inputs, labels: plaid.train.labels)
        XCTAssertEqual(evidence.level, 0.790, accuracy: 0.005)
        XCTAssertEqual(evidence.shape, 0.499, accuracy: 0.005)
        XCTAssertEqual(plaid.defaultNormalization, .sampleLevel)
    }
}
