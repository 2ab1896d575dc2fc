import Foundation

/// Numeric series from text files: columns of a CSV table, or the values of a year × month
/// table such as statsmodels' `sunspots_monthly.dat`.
public enum SeriesFile {
    /// The values of `column` (default: the last numeric column) of a CSV file, or, for
    /// other text files, the numbers of every line that starts with a year followed by
    /// monthly values, month after month. Empty cells are NaN (missing).
    ///
    /// - Throws: `StrataError.io` when unreadable, `invalidArgument` for an unknown column,
    ///   `corruptFile` when no values are found.
    public static func read(contentsOf path: String, column: String? = nil) throws(StrataError) -> [Float] {
        try streams(contentsOf: path, target: column).values[0]
    }

    private static func isCSV(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".csv") || path.lowercased().hasSuffix(".csv.gz")
    }

    /// The monthly values of a year × month table, month after month.
    private static func monthlyTable(_ path: String) throws(StrataError) -> [Float] {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        var values: [Float] = []
        for (_, line) in TextLines.split(data) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let year = fields.first.flatMap({ Int($0) }), (1000...3000).contains(year), fields.count >= 2 else { continue }
            let months = fields.dropFirst().compactMap { Float($0) }
            guard months.count == fields.count - 1, months.count <= 12 else { continue }
            values += months
        }
        guard !values.isEmpty else {
            throw .corruptFile(path: path, offset: 0, message: "no lines of a year followed by monthly values")
        }
        return values
    }

    /// The pseudo-column of `streams`' inputs that adds the date's position in the year.
    public static let dayOfYear = "day-of-year"

    /// Streams of a file as forecasting channels, with their names.
    public struct Streams: Sendable {
        public let names: [String]
        public let values: [[Float]]
        /// Rows per season the file's dates suggest (12 for a year × month table), if any.
        public let season: Int?
    }

    /// The `target` column (default: the last numeric one) first, then each column of
    /// `inputs` in the order given (the target is not repeated); the input `day-of-year`
    /// adds two channels, `day-of-year-sin` and `day-of-year-cos`, from the first column
    /// whose every cell is a date (`CalendarDate`). A year × month table gives one stream.
    ///
    /// - Throws: as `read`, and `invalidArgument` naming an input that is not a numeric
    ///   column (listing those that are) or `day-of-year` without a date column.
    public static func streams(contentsOf path: String, target: String? = nil, inputs: [String] = []) throws(StrataError) -> Streams {
        guard isCSV(path) else {
            if let other = inputs.first(where: { $0 != target }) {
                throw .invalidArgument(op: "data", message: "--inputs \(other): \(path) is a year × month table with one stream; several streams need a CSV file")
            }
            return Streams(names: [target ?? "series"], values: [try monthlyTable(path)], season: 12)
        }
        let table = try CSVTable.read(contentsOf: path)
        let numeric = table.numericColumnNames
        let dateIndex = table.columns.indices.first { index in
            !table.rows.isEmpty && table.rows.allSatisfy { CalendarDate($0[index]) != nil }
        }
        let dates = dateIndex.map { index in table.rows.compactMap { CalendarDate($0[index]) } }
        var names: [String] = [], values: [[Float]] = [], listed: Set<String> = []
        for name in [target ?? numeric.last ?? ""] + inputs where listed.insert(name).inserted {
            if name == dayOfYear {
                guard let dates else {
                    throw .invalidArgument(op: "data", message: "--inputs \(dayOfYear) needs a date column in \(path) (e.g. 1991-01-31, 1949-01, 1970 Q1); its columns: \(table.columns.joined(separator: ", "))")
                }
                names += ["\(dayOfYear)-sin", "\(dayOfYear)-cos"]
                values += [dates.map { Float(sin($0.yearAngle)) }, dates.map { Float(cos($0.yearAngle)) }]
                continue
            }
            guard let column = table.numericColumn(name) else {
                throw .invalidArgument(op: "data", message: "column '\(name)' is not a numeric column of \(path); numeric columns: \(numeric.joined(separator: ", ")) (and \(dayOfYear) for the date's position in the year)")
            }
            names.append(name)
            values.append(column)
        }
        return Streams(names: names, values: values, season: dates.flatMap { CalendarDate.season(of: $0) })
    }
}

/// A comma-separated table with a header line, its rows read by `CSVRowReader` (RFC 4180:
/// quoted fields may hold commas, line breaks and `""` for a quote; spaces around unquoted
/// text are dropped).
public struct CSVTable: Sendable {
    public let columns: [String]
    public let rows: [[String]]

    /// Reads a `.csv` file, or a gzipped one (`.csv.gz`).
    ///
    /// - Throws: `StrataError.io` when unreadable, `corruptFile` with the byte offset (of the
    ///   decompressed text) of a row whose field count differs from the header's, or of a
    ///   row whose quotes are never closed.
    public static func read(contentsOf path: String) throws(StrataError) -> CSVTable {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        return try decode(path.lowercased().hasSuffix(".gz") ? try Gzip.decompress(data, path: path) : data, path: path)
    }

    /// Labels in a stable order: numbers by value, then the rest alphabetically.
    static func sortedLabels(_ labels: [String]) -> [String] {
        Array(Set(labels)).sorted { (Double($0) ?? .infinity, $0) < (Double($1) ?? .infinity, $1) }
    }

    public static func decode(_ data: Data, path: String = "<csv>") throws(StrataError) -> CSVTable {
        var parsed: [(Int, [String])] = [], reader = CSVRowReader(), rowStart = 0
        for (offset, line) in TextLines.split(data) {
            guard reader.isOpen || !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            if !reader.isOpen { rowStart = offset }
            if let row = reader.read(Substring(line)) { parsed.append((rowStart, row)) }
        }
        if reader.isOpen {
            throw .corruptFile(path: path, offset: rowStart, message: "a quote opened in this row is never closed")
        }
        guard let header = parsed.first else { throw .corruptFile(path: path, offset: 0, message: "the file is empty") }
        for (rowOffset, row) in parsed.dropFirst() where row.count != header.1.count {
            throw .corruptFile(path: path, offset: rowOffset, message: "a row has \(row.count) fields, the header \(header.1.count)")
        }
        return CSVTable(columns: header.1, rows: parsed.dropFirst().map(\.1))
    }

    /// Columns whose every non-empty cell is a number.
    public var numericColumnNames: [String] {
        columns.indices.filter { index in
            rows.allSatisfy { $0[index].isEmpty || Float($0[index]) != nil } && rows.contains { !$0[index].isEmpty }
        }.map { columns[$0] }
    }

    /// A column's values, NaN for empty cells; `nil` when it is not numeric.
    public func numericColumn(_ name: String) -> [Float]? {
        guard let index = columns.firstIndex(of: name), numericColumnNames.contains(name) else { return nil }
        return rows.map { $0[index].isEmpty ? .nan : Float($0[index])! }
    }

    /// Rows of the numeric feature columns with an integer (or categorical) label column
    /// as a classification dataset `N×features`.
    public func classificationDataset(label: String) throws(StrataError) -> TensorDataset {
        guard let labelIndex = columns.firstIndex(of: label) else {
            throw .invalidArgument(op: "data", message: "no column '\(label)'; columns: \(columns.joined(separator: ", "))")
        }
        let features = numericColumnNames.filter { $0 != label }
        let names = CSVTable.sortedLabels(rows.map { $0[labelIndex] })
        let values = features.compactMap { numericColumn($0) }
        let inputs = try Tensor(rows.indices.flatMap { row in values.map { $0[row] } }, shape: [rows.count, features.count])
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: rows.map { names.firstIndex(of: $0[labelIndex])! }),
                                 classNames: names)
    }
}
