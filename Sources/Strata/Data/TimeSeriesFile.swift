import Foundation

/// A set of labelled time series: each case has the same number of dimensions
/// (channels), possibly of different lengths.
public struct TimeSeriesCollection: Sendable {
    public let problemName: String
    /// `series[case][dimension]` = the values of that channel.
    public let series: [[[Float]]]
    /// Class index of each case (into `classNames`).
    public let labels: [Int]
    public let classNames: [String]

    public var count: Int { series.count }
    public var dimensions: Int { series.first?.count ?? 0 }
    /// Length of each case (the longest of its dimensions).
    public var lengths: [Int] { series.map { $0.map(\.count).max() ?? 0 } }
    /// Number of NaN (missing) values.
    public var missingValues: Int { series.reduce(0) { $0 + $1.reduce(0) { $0 + $1.filter(\.isNaN).count } } }
    /// Whether every channel of every case has mean 0 and standard deviation 1 (with the
    /// population's or the sample's divisor), up to the rounding of the stored values: how
    /// the archive ships most univariate sets. Constant channels at 0 (what normalising
    /// leaves of a constant case) count as normalised, small but varying ones do not;
    /// missing values are left out.
    public var isZNormalised: Bool {
        series.allSatisfy { $0.allSatisfy { raw in
            let values = raw.filter { !$0.isNaN }.map(Double.init)
            guard values.count >= 2 else { return true }
            let n = Double(values.count), mean = values.reduce(0, +) / n
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            return abs(mean) <= 0.01 && (std <= 1e-6 || (((n - 1) / n).squareRoot() - 0.01...1.01).contains(std))
        } }
    }

    /// Inputs `N×C×length` and int64 labels (default length: the longest case). Shorter
    /// cases are padded with zeros at the end and longer ones cut, or, with `resample`,
    /// every case is stretched to `length` by linear interpolation (how the UCR archive's
    /// own fix and the published deep-learning results make unequal lengths equal).
    /// Missing values inside a case are filled first (`filledGaps`), so that normalising
    /// never sees them.
    public func dataset(length: Int? = nil, resample: Bool = false) throws(StrataError) -> TensorDataset {
        let target = length ?? (lengths.max() ?? 0)
        guard target >= 1, !series.isEmpty else {
            throw .invalidArgument(op: "TimeSeriesCollection", message: "no values to make a dataset of (length \(target), \(series.count) cases)")
        }
        let channels = dimensions
        let inputs = Tensor(zerosShape: [series.count, channels, target])
        inputs.withMutableFloats { elements in
            for (n, dims) in series.enumerated() {
                for (c, raw) in dims.enumerated() {
                    let base = (n * channels + c) * target
                    let values = TimeSeriesCollection.filledGaps(raw)
                    guard resample, values.count >= 2, values.count != target else {
                        for (t, value) in values.prefix(target).enumerated() { elements[base + t] = value }
                        continue
                    }
                    let scale = Double(values.count - 1) / Double(Swift.max(target - 1, 1))
                    for t in 0..<target {
                        let position = Double(t) * scale, left = Swift.min(Int(position), values.count - 2)
                        let fraction = Float(position - Double(left))
                        elements[base + t] = values[left] + fraction * (values[left + 1] - values[left])
                    }
                }
            }
        }
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: labels), classNames: classNames)
    }

    /// `values` with each missing value (NaN) filled: on the straight line between the
    /// observed values either side of its gap, or with the nearest observed value before the
    /// first and after the last one; 0 where nothing was observed. A 0 in a series' own units
    /// would be a spike wherever the series does not live near 0 (traffic counts, mains
    /// current), and normalising would carry it into every value of the case.
    static func filledGaps(_ values: [Float]) -> [Float] {
        let observed = values.indices.filter { !values[$0].isNaN }
        guard let first = observed.first, let last = observed.last else { return [Float](repeating: 0, count: values.count) }
        var filled = values
        for t in 0..<first { filled[t] = values[first] }
        for t in last..<values.count { filled[t] = values[last] }
        for (before, after) in zip(observed, observed.dropFirst()) where after > before + 1 {
            let span = Float(after - before), step = values[after] - values[before]
            for t in before + 1..<after { filled[t] = values[before] + step * Float(t - before) / span }
        }
        return filled
    }
}

/// The sktime/aeon `.ts` format and the UCR archive's `.tsv` format.
///
/// `.ts`: `#` comments, `@key value` header lines (`@problemName`, `@univariate`,
/// `@dimensions`, `@equalLength`, `@seriesLength`, `@classLabel true A B …`), then `@data`
/// and one case per line: each dimension's values comma-separated, dimensions separated
/// by `:`, the class label last; `?` marks a missing value.
/// `.tsv`: one case per line, the label first, then the values, tab-separated.
public enum TimeSeriesFile {
    /// Reads a `.ts` or `.tsv` file (by extension).
    ///
    /// - Throws: `StrataError.io` when unreadable, `corruptFile` with the byte offset of
    ///   the first line that does not match the format and what was expected.
    public static func read(contentsOf path: String) throws(StrataError) -> TimeSeriesCollection {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        return path.lowercased().hasSuffix(".tsv") ? try decodeTSV(data, path: path) : try decode(data, path: path)
    }

    /// Decodes `.ts` bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<ts>") throws(StrataError) -> TimeSeriesCollection {
        func fail(_ offset: Int, _ message: String) -> StrataError { .corruptFile(path: path, offset: offset, message: message) }
        var header: [String: String] = [:]
        var classNames: [String]?
        var series: [[[Float]]] = []
        var labels: [Int] = []
        var inData = false
        var expectedDimensions: Int?
        for (offset, rawLine) in TextLines.split(data) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !inData {
                guard line.hasPrefix("@") else { throw fail(offset, "expected a @header line or @data before the values") }
                let parts = line.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
                guard let first = parts.first else { throw fail(offset, "a lone '@' is not a header line") }
                let key = first.lowercased()
                if key == "data" {
                    inData = true
                    expectedDimensions = header["dimensions"].flatMap { Int($0) }
                    continue
                }
                let value = parts.count > 1 ? parts[1] : ""
                header[key] = value
                if key == "classlabel" {
                    let words = value.split(separator: " ").map(String.init)
                    if words.first?.lowercased() == "true" { classNames = Array(words.dropFirst()) }
                }
                continue
            }
            var fields = line.split(separator: ":", omittingEmptySubsequences: false)
            var label: Int?
            if let names = classNames {
                guard fields.count >= 2 else {
                    throw fail(offset, "case \(series.count) has no ':label' after its values")
                }
                let text = String(fields.removeLast()).trimmingCharacters(in: .whitespaces)
                guard let index = names.firstIndex(of: text) else {
                    throw fail(offset, "class label '\(text)' of case \(series.count) is not one of @classLabel \(names.joined(separator: " "))")
                }
                label = index
            }
            if let expected = expectedDimensions ?? series.first?.count, fields.count != expected {
                throw fail(offset, "case \(series.count) has \(fields.count) dimensions, expected \(expected)")
            }
            var dimensions: [[Float]] = []
            for field in fields {
                var values: [Float] = []
                for item in field.split(separator: ",", omittingEmptySubsequences: false) {
                    let token = item.trimmingCharacters(in: .whitespaces)
                    if token == "?" || token.lowercased() == "nan" {
                        values.append(.nan)
                    } else if let value = Float(token) {
                        values.append(value)
                    } else {
                        throw fail(offset, "case \(series.count): '\(token.prefix(20))' is not a number")
                    }
                }
                dimensions.append(values)
            }
            if header["equallength"]?.lowercased() == "true", let first = series.first?.first?.count,
               dimensions.contains(where: { $0.count != first }) {
                throw fail(offset, "case \(series.count) has length \(dimensions.map(\.count).max() ?? 0) but @equalLength true and case 0 has \(first)")
            }
            series.append(dimensions)
            labels.append(label ?? 0)
        }
        guard inData else { throw fail(data.count, "no @data line") }
        return TimeSeriesCollection(problemName: header["problemname"] ?? "", series: series, labels: labels,
                                    classNames: classNames ?? ["0"])
    }

    /// Decodes UCR `.tsv` bytes (label first, then values, tab-separated).
    public static func decodeTSV(_ data: Data, path: String = "<tsv>") throws(StrataError) -> TimeSeriesCollection {
        var raw: [(String, [Float])] = []
        for (offset, line) in TextLines.split(data) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            var values: [Float] = []
            for token in fields.dropFirst() {
                guard let value = token == "NaN" || token == "?" ? Float.nan : Float(token) else {
                    throw .corruptFile(path: path, offset: offset, message: "case \(raw.count): '\(token.prefix(20))' is not a number")
                }
                values.append(value)
            }
            while values.last?.isNaN == true { values.removeLast() }   // the 2018 archive pads shorter cases with NaN
            raw.append((fields.first ?? "", values))
        }
        let names = CSVTable.sortedLabels(raw.map(\.0))
        return TimeSeriesCollection(problemName: (path as NSString).lastPathComponent, series: raw.map { [$0.1] },
                                    labels: raw.map { names.firstIndex(of: $0.0)! }, classNames: names)
    }
}
