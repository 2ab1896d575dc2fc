import Foundation
import XCTest
@testable import Strata

/// Several streams as the channels of forecasting windows: their order, per-stream
/// standardisation fitted on the training rows only, the day of the year as sin/cos, and
/// the persistence and seasonal-naive baselines in the target's units.
final class MultivariateForecastingTests: XCTestCase {
    private func temporaryCSV(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streams-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// 100 daily rows from 2021-01-01: a = t², b = 1000 + 2t, c = −t (three different shapes,
    /// so channels in the wrong order cannot pass for the right ones); rows 70… (validation
    /// and test) are shifted by +10⁶ so statistics that saw them would be far off.
    private func table() throws -> String {
        var lines = ["date,a,b,c,label"]
        for t in 0..<100 {
            let shift = t >= 70 ? 1_000_000.0 : 0
            let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: t, to: DateComponents(calendar: .init(identifier: .gregorian), timeZone: .gmt, year: 2021, month: 1, day: 1).date!)!
            let parts = Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: day)
            lines.append(String(format: "%04d-%02d-%02d,%g,%g,%g,x", parts.year!, parts.month!, parts.day!,
                                Double(t * t) + shift, 1000 + 2 * Double(t) + shift, -Double(t) + shift))
        }
        return try temporaryCSV(lines.joined(separator: "\n"))
    }

    func testChannelsArriveInTheStatedOrderStandardisedOnTrainingRowsOnly() throws {
        let path = try table()
        var options = LoadedData.ForecastOptions()
        options.column = "b"
        options.inputs = ["c", "a", "b", SeriesFile.dayOfYear]
        options.frame = 6
        let data = try LoadedData.load("forecast:\(path)", directory: nil, forecast: options)
        // channels: the target b, then c and a as listed (b not repeated), then sin and cos;
        // windows of 6 rows with the next row's b as target: 70 − 6 of them in the training rows
        XCTAssertEqual(data.train.inputs.shape, [64, 5, 6])
        let streams = try SeriesFile.streams(contentsOf: path, target: "b", inputs: options.inputs!)
        XCTAssertEqual(streams.names, ["b", "c", "a", "day-of-year-sin", "day-of-year-cos"])
        XCTAssertEqual(streams.season, 7, "daily rows: a weekly season")

        // each channel standardised with the population mean and std of its training rows 0..<70 only;
        // 2021 has 365 days and 2021-01-01 is day 1: row t's angle in the year is 2πt/365
        let rows = (0..<70).map(Double.init), angle = { (t: Double) in 2 * Double.pi * t / 365 }
        let expected: [(name: String, values: [Double])] = [
            ("b", rows.map { 1000 + 2 * $0 }), ("c", rows.map { -$0 }), ("a", rows.map { $0 * $0 }),
            ("day-of-year sin", rows.map { sin(angle($0)) }), ("day-of-year cos", rows.map { cos(angle($0)) }),
        ]
        let inputs = data.train.inputs.toArray()
        var targetMean = 0.0, targetStd = 0.0
        for (channel, stream) in expected.enumerated() {
            let mean = stream.values.reduce(0, +) / 70
            let std = (stream.values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 70).squareRoot()
            if channel == 0 { (targetMean, targetStd) = (mean, std) }
            for window in [0, 63] {
                for step in 0..<6 {
                    XCTAssertEqual(Double(inputs[(window * 5 + channel) * 6 + step]), (stream.values[window + step] - mean) / std,
                                   accuracy: 1e-4, "\(stream.name): window \(window), step \(step)")
                }
            }
        }
        // the target is the next b (row 6 for window 0), in b's standardised units
        XCTAssertEqual(Double(data.train.targets.toArray()[0]), (1012 - targetMean) / targetStd, accuracy: 1e-5)
        XCTAssertEqual(data.targetScale, targetStd, accuracy: 1e-3)
    }

    func testAStreamThatIsNotANumericColumnIsNamedWithTheColumnsThatAre() throws {
        let path = try table()
        XCTAssertThrowsError(try SeriesFile.streams(contentsOf: path, target: "b", inputs: ["label"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'label'") && text.contains("numeric columns: a, b, c"), text)
        }
        let monthly = SharedData.path("data/forecasting-statsmodels/sunspots_monthly.dat")
        XCTAssertThrowsError(try SeriesFile.streams(contentsOf: monthly, inputs: ["a"]))
        XCTAssertEqual(try SeriesFile.streams(contentsOf: monthly).season, 12)
    }

    func testBaselinesInTheTargetsUnits() throws {
        // a pure period-12 pattern: the seasonal-naive forecast is exact, persistence is not
        let pattern: [Float] = [3, 5, 9, 14, 18, 21, 23, 22, 19, 13, 8, 4]
        let series = (0..<240).map { pattern[$0 % 12] }
        let data = try ForecastingData(series: series, frame: 6, season: 12)
        XCTAssertEqual(data.baselines["seasonal_naive_mae"]!, 0, accuracy: 1e-9)
        XCTAssertEqual(data.baselines["season"], 12)
        // persistence over the test windows: |next − last| averaged; the test part is rows 204…239
        var total = 0.0, count = 0
        var start = 204
        while start + 6 + 1 <= 240 {
            total += Double(Swift.abs(series[start + 6] - series[start + 5]))
            count += 1
            start += 1
        }
        XCTAssertEqual(data.baselines["persistence_mae"]!, total / Double(count), accuracy: 1e-9)
        // next-k: step h of the horizon looks back ⌈h/s⌉ seasons, so still exact
        let ahead = try ForecastingData(series: series, frame: 6, horizon: 15, target: "next-k", season: 12)
        XCTAssertEqual(ahead.baselines["seasonal_naive_mae"]!, 0, accuracy: 1e-9)
        XCTAssertGreaterThan(ahead.baselines["persistence_rmse"]!, ahead.baselines["persistence_mae"]!)
    }

    func testAPartTooShortForOneFrameSaysWhichAndWhatFits() throws {
        XCTAssertThrowsError(try ForecastingData(series: (0..<100).map(Float.init), frame: 24)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("validation part has 15 time steps (of 100)") && text.contains("--frame 14"), text)
        }
    }

    func testDatesAsTimeSeriesFilesWriteThem() throws {
        XCTAssertEqual(CalendarDate("2012/01/31")?.dayOfYear, 31)
        XCTAssertEqual(CalendarDate("19580329")?.dayOfYear, 31 + 28 + 29)
        XCTAssertEqual(CalendarDate("2020-03-01 00:30:00+00:00")?.dayOfYear, 31 + 29 + 1)
        XCTAssertEqual(CalendarDate("2020-03-02T00:30")?.dayOfYear, 31 + 29 + 2)
        XCTAssertEqual(CalendarDate("1949-02")?.month, 2)
        XCTAssertEqual(CalendarDate("1991 Jul")?.month, 7)
        XCTAssertEqual(CalendarDate("1970 Q3")?.month, 7)
        XCTAssertNil(CalendarDate("1871"))
        XCTAssertNil(CalendarDate("2012-13-01"))
        XCTAssertNil(CalendarDate("2021-02-29"), "not a leap year")
        XCTAssertEqual(CalendarDate("2020-02-29")?.dayOfYear, 60)
        XCTAssertEqual(CalendarDate("1991 OCT")?.month, 10, "capitals, and a T inside a word is not a separator")
        XCTAssertNil(CalendarDate("2020 Q9223372036854775807"), "a quarter outside 1…4, not an overflow")
        XCTAssertNil(CalendarDate("rain"))
        let quarters = ["1970 Q1", "1970 Q2", "1970 Q3", "1970 Q4", "1971 Q1"].compactMap(CalendarDate.init)
        XCTAssertEqual(CalendarDate.season(of: quarters), 4)
    }

    /// Seattle's daily maximum temperature from four weather streams and the day of the
    /// year: the run reports the model beside both baselines in °C.
    func testWeatherStreamsFromTheCommandLine() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/forecasting/seattle-weather.csv").standardized.path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("weather-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let (status, text) = try CLITests.strata(["train", "--data", "forecast:\(file)", "--target-column", "temp_max",
                                                  "--inputs", "temp_min,precipitation,wind,day-of-year", "--frame", "14",
                                                  "--epochs", "3", "--output", output, "--progress", "silent"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("persistence (last value)") && text.contains("seasonal naive (7 steps back)"), text)
        let description = try RunDescription.read(directory: output)
        XCTAssertEqual(description.inputShape, [6, 14])
        let (evaluated, report) = try CLITests.strata(["evaluate", "--run", output, "--json"])
        XCTAssertEqual(evaluated, 0, report)
        let figures = try JSONSerialization.jsonObject(with: Data(report.split(separator: "\n").last!.utf8)) as! [String: Any]
        let mae = try XCTUnwrap(figures["test_mae"] as? Double), persistence = try XCTUnwrap(figures["persistence_mae"] as? Double)
        XCTAssertGreaterThan(persistence, 1, "°C, not standard deviations")
        XCTAssertLessThan(mae, 3 * persistence, "in the same units as the baseline")
        XCTAssertGreaterThan(mae, persistence / 3, "not in standard deviations (≈ 0.3)")
    }
}
