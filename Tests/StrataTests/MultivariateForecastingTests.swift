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

    /// 100 daily rows: a = t, b = 1000 + 2t, c = −t; rows 70… (validation and test) are
    /// shifted by +10⁶ so statistics that saw them would be far off.
    private func table() throws -> String {
        var lines = ["date,a,b,c,label"]
        for t in 0..<100 {
            let shift = t >= 70 ? 1_000_000.0 : 0
            let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: t, to: DateComponents(calendar: .init(identifier: .gregorian), timeZone: .gmt, year: 2021, month: 1, day: 1).date!)!
            let parts = Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: day)
            lines.append(String(format: "%04d-%02d-%02d,%g,%g,%g,x", parts.year!, parts.month!, parts.day!,
                                Double(t) + shift, 1000 + 2 * Double(t) + shift, -Double(t) + shift))
        }
        return try temporaryCSV(lines.joined(separator: "\n"))
    }

    func testChannelsArriveInTheStatedOrderStandardisedOnTrainingRowsOnly() throws {
        let path = try table()
        var options = LoadedData.ForecastOptions()
        options.column = "b"
        options.inputs = ["c", "a", "b", SeriesFile.dayOfYear]
        options.frame = 5
        let data = try LoadedData.load("forecast:\(path)", directory: nil, forecast: options)
        // channels: the target b, then c and a as listed (b not repeated), then sin and cos
        XCTAssertEqual(data.train.inputs.shape, [70 - 5 - 1 + 1, 5, 5])
        let streams = try SeriesFile.streams(contentsOf: path, target: "b", inputs: options.inputs!)
        XCTAssertEqual(streams.names, ["b", "c", "a", "day-of-year-sin", "day-of-year-cos"])
        XCTAssertEqual(streams.season, 7, "daily rows: a weekly season")

        // training statistics of rows 0..<70 only: mean of t is 34.5, population std √((70² − 1)/12)
        let std = Float(((70.0 * 70.0 - 1) / 12).squareRoot())
        let first = data.train.inputs.toArray()   // window 0: N×C×m, rows t = 0…4
        for step in 0..<5 {
            let t = Float(step)
            XCTAssertEqual(first[0 * 5 + step], (t - 34.5) / std, accuracy: 1e-5, "b standardised with its own training mean 1069 and std 2·σ")
            XCTAssertEqual(first[1 * 5 + step], (34.5 - t) / std, accuracy: 1e-5, "c")
            XCTAssertEqual(first[2 * 5 + step], (t - 34.5) / std, accuracy: 1e-5, "a")
        }
        // day of year: 2021-01-01 is day 1, angle 0 → sin 0, cos 1 before standardisation;
        // the standardised values keep that row's place: sin rises from window row 0 to 4
        XCTAssertLessThan(first[3 * 5 + 0], first[3 * 5 + 4])
        // the target is the next b, in b's standardised units
        XCTAssertEqual(data.train.targets.toArray()[0], (5 - 34.5) / std, accuracy: 1e-5)
        XCTAssertEqual(data.targetScale, Double(2 * std), accuracy: 1e-3)
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
