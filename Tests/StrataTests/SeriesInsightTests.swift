import Foundation
import XCTest
@testable import Strata

/// Looking inside networks for series: saliency, Grad-CAM and occlusion along time against
/// Captum (tools/make_series_insight_fixtures.py), the picture of a map along a series, and
/// `strata insight` on a trained run for series finding the steps that decide its class.
final class SeriesInsightTests: XCTestCase {
    private func fixture(_ name: String) throws -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/series_insight/\(name)").standardized.path
    }

    /// The fixture's network: PyTorch's `Sequential` of the same layers, its state dict loaded by name.
    private func network() throws -> Module {
        let model = Sequential([Conv1d(3, 8, kernel: 7, padding: 3), BatchNorm1d(8), ReLU(), MaxPool1d(2),
                                Conv1d(8, 16, kernel: 5, padding: 2), ReLU(), GlobalAvgPool(), Flatten(), Linear(16, 5)])
        let state = Dictionary(uniqueKeysWithValues: try WeightsFile.read(contentsOf: try fixture("weights.pth")))
        XCTAssertTrue(try model.loadStateDict(state).isExact)
        model.eval()
        return model
    }

    /// A reference array of the fixture.
    private func reference(_ name: String) throws -> Tensor { try NumpyArray.read(contentsOf: try fixture(name)) }

    func testSaliencyGradCAMAndOcclusionAlongASeriesEqualCaptum() throws {
        let model = try network()
        let input = try reference("input.npy")
        XCTAssertEqual(input.shape, [1, 3, 96])
        for target in [1, 4] {
            assertSameMap(try Saliency.map(model, input: input, target: target), try reference("\(target)_saliency.npy"), "\(target) saliency")
            for layer in ["2", "5"] {
                let (map, coarse) = try GradCAM.map(model, input: input, target: target, layer: layer)
                XCTAssertEqual(coarse.shape, [layer == "2" ? 96 : 48], "layer \(layer) before upsampling")
                assertSameMap(map, try reference("\(target)_gradcam_\(layer).npy"), "\(target) Grad-CAM at \(layer)")
            }
            assertSameMap(try Occlusion.map(model, input: input, target: target, window: [9], stride: [4], batchSize: 7),
                          try reference("\(target)_occlusion.npy"), "\(target) occlusion")
        }
    }

    func testAttributionsSayWhatASeriesNeeds() throws {
        let model = try network()
        let input = try reference("input.npy")
        guard case .invalidArgument(_, let message)? = thrownError({
            _ = try Occlusion.map(model, input: input, target: 1, window: [9, 9], stride: [4, 4])
        }) else { return XCTFail("a window for images on a series") }
        XCTAssertTrue(message.contains("series of length 96"), message)
        guard case .shapeMismatch(_, let flat)? = thrownError({ _ = try GradCAM.map(model, input: input, target: 1, layer: "7") }) else {
            return XCTFail("Grad-CAM after the pooling")
        }
        XCTAssertTrue(flat.contains("gives [1, 16]") && flat.contains("1×C×l"), flat)
        guard case .shapeMismatch? = thrownError({ _ = try Saliency.map(model, input: try input.reshape([3, 96]), target: 1) }) else {
            return XCTFail("a series without its batch axis")
        }
    }

    func testThePictureColoursTheLineByTheMapAndDrawsItAsAStrip() throws {
        // one channel rising 0…1 over 100 steps; the map peaks at step 80
        let series = try Tensor((0..<100).map { Float($0) / 99 }, shape: [1, 1, 100])
        let map = try Tensor((0..<100).map { Float(-Swift.abs($0 - 80)) }, shape: [100])
        let picture = try SeriesPlot.picture(series, attribution: map, panelHeight: 80)
        XCTAssertEqual(picture.width, 28 + 480 + 6, "short series are stretched to 480 columns after the label margin")
        XCTAssertEqual(picture.height, 4 + 84 + 14 + 4)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(picture.pixels[((y * picture.width + x) * 3)..<((y * picture.width + x) * 3 + 3)]) }
        // the strip under the panel: red where the map peaks, blue at the start
        let strip = 4 + 84 + 7, peak = 28 + 80 * 479 / 99
        XCTAssertEqual(pixel(peak, strip), [128, 0, 0], "jet at 1 is dark red")
        XCTAssertEqual(pixel(28, strip), [0, 0, 128], "jet at 0 is dark blue")
        // the line is drawn at its value: near the top of the panel at step 99, near the bottom at step 0
        let lineRows = (4..<88).filter { pixel(28 + 479, $0) != [246, 246, 246] && pixel(28 + 479, $0) != [255, 255, 255] }
        XCTAssertEqual(lineRows.first, 6, "the last step's value, the maximum, sits 2 pixels below the panel's top")
        guard case .shapeMismatch? = thrownError({ _ = try SeriesPlot.picture(series, attribution: try Tensor(zerosShape: [99])) }) else {
            return XCTFail("a map of another length")
        }
        // a diverged network's NaN: a gap in the line, the map's lowest colour in the strip
        var broken = series.toArray(), brokenMap = map.toArray()
        (broken[50], brokenMap[99]) = (.nan, .nan)
        let gapped = try SeriesPlot.picture(try Tensor(broken, shape: [1, 1, 100]), attribution: try Tensor(brokenMap, shape: [100]))
        func gappedPixel(_ x: Int, _ y: Int) -> [UInt8] { Array(gapped.pixels[((y * gapped.width + x) * 3)..<((y * gapped.width + x) * 3 + 3)]) }
        XCTAssertEqual(gappedPixel(28 + 479, strip), [0, 0, 128], "the last step's map value is NaN")
        XCTAssertEqual(gappedPixel(peak, strip), [128, 0, 0], "the rest of the map keeps its scale")
        XCTAssertTrue((4..<84).allSatisfy { gappedPixel(28 + 50 * 479 / 99, $0) == [246, 246, 246] }, "no line through the missing step")
    }

    func testOneDimensionalFiltersAreDrawnAsLines() throws {
        // filter 0 rises to +1 at tap 1 and falls to −1 at tap 3; filter 1 is all zeros
        let weight = try Tensor([0, 1, 0, -1, 0, 0, 0, 0, 0, 0], shape: [2, 1, 5])
        let picture = try FeatureMaps.filters(weight)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(picture.pixels[((y * picture.width + x) * 3)..<((y * picture.width + x) * 3 + 3)]) }
        let line: [UInt8] = [31, 60, 140]
        // tiles of 48×32 side by side after a 4-pixel gap; in a tile the zero line is row 16,
        // ±1 rows 3 and 29, tap t at column 2 + t·42/4
        XCTAssertEqual(picture.width, 4 + 2 * (48 + 4))
        XCTAssertEqual(pixel(4 + 12, 4 + 3), line, "the +1 tap near the top")
        XCTAssertEqual(pixel(4 + 12, 4 + 2), [246, 246, 246], "nothing above it")
        XCTAssertEqual(pixel(4 + 33, 4 + 29), line, "the −1 tap near the bottom")
        XCTAssertEqual(pixel(56 + 20, 4 + 16), line, "the zero filter on the zero line")
        XCTAssertEqual(pixel(56 + 20, 4 + 3), [246, 246, 246])
    }

    func testOcclusionAndSaliencyCanLeaveTheLevelChannelsOut() throws {
        // the fixture's network reads 3 channels; attribute the first only, as for a run
        // whose normaliser appended level channels to one series
        let model = try network()
        let input = try reference("input.npy"), target = 1
        let map = try Occlusion.map(model, input: input, target: target, window: [8], stride: [8], attributedChannels: 1).toArray()
        let score = { (x: Tensor) throws -> Float in try withoutGradients { () throws(StrataError) in try model(x) }.toArray()[target] }
        let base = try score(input)
        for start in [0, 40, 88] {
            var occluded = input.toArray()
            for step in start..<(start + 8) { occluded[step] = 0 }
            let drop = base - (try score(try Tensor(occluded, shape: [1, 3, 96])))
            XCTAssertEqual(map[start + 3], drop, accuracy: 1e-5, "window at \(start): channel 0 occluded, channels 1 and 2 kept")
        }
        let gradient = try Attribution.classGradient(model, input: input, target: target).toArray()
        let saliency = try Saliency.map(model, input: input, target: target, attributedChannels: 1).toArray()
        assertClose(try Tensor(saliency, shape: [96]), try Tensor(gradient[0..<96].map { Swift.abs($0) }, shape: [96]), rtol: 1e-5, atol: 1e-9)
        XCTAssertNotEqual(try Saliency.map(model, input: input, target: target).toArray(), saliency, "the other channels matter to the full map")
        guard case .invalidArgument(_, let message)? = thrownError({
            _ = try Occlusion.map(model, input: input, target: target, window: [8], stride: [8], attributedChannels: 4)
        }) else { return XCTFail("more channels than the input has") }
        XCTAssertTrue(message.contains("attributed channels 4 must be 1…3"), message)
        guard case .invalidArgument? = thrownError({
            _ = try Occlusion.map(model, input: input, target: target, window: [8], stride: [8], batchSize: 0)
        }) else { return XCTFail("an empty batch") }
    }

    func testAForecastingRunIsNotExplainedAsAClass() throws {
        let folder = try TestFiles.temporaryFolder("forecast-insight").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (trained, log) = try CLITests.strata(["train", "--data", "forecast:" + SharedData.path("data/forecasting-statsmodels/sunspots_monthly.dat"),
                                                  "--epochs", "1", "--output", "\(folder)/run", "--json"])
        XCTAssertEqual(trained, 0, log)
        let (status, message) = try CLITests.strata(["insight", "saliency", "--run", "\(folder)/run", "--sample", "0", "--output", "\(folder)/map"])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(message.contains("explain a class; this run forecasts values"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/map.png"))
    }

    func testInsightOnASeriesRunFindsTheStepsThatDecideTheClass() throws {
        // two classes told apart only by a wavelet's direction, rising or falling first, at a
        // random step; the wavelet has mean 0, so z-normalising a case leaves no other clue
        let folder = try TestFiles.temporaryFolder("series-insight").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = RandomGenerator(seed: 3)
        var testCentres: [Double] = [], testSeries: [[Float]] = []
        for part in ["TRAIN", "TEST"] {
            let lines = (0..<40).map { index -> String in
                let centre = 12 + 40 * Double(generator.nextUniform()), direction = index % 2 == 0 ? 1.0 : -1.0
                let values = (0..<64).map { step -> Float in
                    let offset = Double(step) - centre
                    return Float(direction * 3 * sin(2 * Double.pi * offset / 12) * exp(-pow(offset / 4, 2)) + 0.3 * Double(generator.nextNormal()))
                }
                if part == "TEST" { (testCentres, testSeries) = (testCentres + [centre], testSeries + [values]) }
                return ([index % 2 == 0 ? "rise" : "fall"] + values.map { String($0) }).joined(separator: "\t")
            }
            try FileManager.default.createDirectory(atPath: "\(folder)/Wavelet", withIntermediateDirectories: true)
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/Wavelet/Wavelet_\(part).tsv"))
        }
        let run = "\(folder)/run"
        let (trained, log) = try CLITests.strata(["train", "--data", "ucr:Wavelet", "--data-dir", folder, "--model", "fcn", "--epochs", "15",
                                                  "--output", run, "--json"])
        XCTAssertEqual(trained, 0, log)
        for sample in [0, 1] {
            let output = "\(folder)/occlusion-\(sample)"
            let (status, text) = try CLITests.strata(["insight", "occlusion", "--run", run, "--sample", String(sample), "--patch", "8",
                                                      "--stride", "2", "--json", "--output", output])
            XCTAssertEqual(status, 0, text)
            let map = try NumpyArray.read(contentsOf: output + ".npy").toArray()
            XCTAssertEqual(map.count, 64)
            let strongest = try XCTUnwrap(map.indices.max { map[$0] < map[$1] })
            XCTAssertLessThanOrEqual(Swift.abs(Double(strongest) - testCentres[sample]), 4,
                                     "sample \(sample): the largest drop at step \(strongest), the wavelet at \(testCentres[sample])")
            XCTAssertTrue(FileManager.default.fileExists(atPath: output + ".png"))
        }
        for verb in [["saliency"], ["gradcam", "--layer", "8"], ["activations", "--layer", "2"]] {
            let output = "\(folder)/\(verb[0])"
            let (status, text) = try CLITests.strata(["insight"] + verb + ["--run", run, "--sample", "1", "--json", "--output", output])
            XCTAssertEqual(status, 0, text)
            XCTAssertEqual(try NumpyArray.read(contentsOf: output + ".npy").shape, verb[0] == "activations" ? [128, 64] : [64], verb[0])
            guard verb[0] != "activations" else { continue }
            let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("{") }, text)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["class"] as? String, "fall", "test sample 1 falls first")
            XCTAssertGreaterThan(object["probability"] as? Double ?? 0, 0.5, verb[0])
        }
        // the same series from a file, raw: normalised as in training, the same map
        let raw = "\(folder)/series.npy"
        try NumpyArray.write(try Tensor(testSeries[1], shape: [1, 64]), to: raw)
        let (fromFile, log2) = try CLITests.strata(["insight", "occlusion", "--run", run, "--npy", raw, "--patch", "8", "--stride", "2",
                                                    "--json", "--output", "\(folder)/from-file"])
        XCTAssertEqual(fromFile, 0, log2)
        assertClose(try NumpyArray.read(contentsOf: "\(folder)/from-file.npy"), try NumpyArray.read(contentsOf: "\(folder)/occlusion-1.npy"),
                    rtol: 1e-4, atol: 1e-5)
        try NumpyArray.write(try Tensor(testSeries[0] + testSeries[1], shape: [2, 64]), to: raw)
        let (wrongShape, shapeMessage) = try CLITests.strata(["insight", "saliency", "--run", run, "--npy", raw, "--output", "\(folder)/x"])
        XCTAssertEqual(wrongShape, 2)
        XCTAssertTrue(shapeMessage.contains("holds an array 2×64; this run takes one input 1×64 (or 1×1×64)"), shapeMessage)
        // the run's report shows the series network's filters and activations as lines
        let (reported, reportLog) = try CLITests.strata(["report", "--run", run])
        XCTAssertEqual(reported, 0, reportLog)
        let page = try String(contentsOfFile: "\(run)/report.html", encoding: .utf8)
        XCTAssertTrue(page.contains("<h2>First-layer filters (0)</h2>"), "filters")
        XCTAssertTrue(page.contains("<h2>Activations of 0 for the first test sample</h2>"), "activations of a series network")
        let (refused, message) = try CLITests.strata(["insight", "maximize", "--run", run, "--class", "0", "--output", "\(folder)/grown"])
        XCTAssertEqual(refused, 2)
        XCTAssertTrue(message.contains("maximize grows images; this run's samples are series 1×64"), message)
    }
}
