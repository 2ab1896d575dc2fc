import Foundation

/// One numeric series from a text file: a column of a CSV table, or the values of a
/// year × month table such as statsmodels' `sunspots_monthly.dat`.
public enum SeriesFile {
    /// The values of `column` (default: the last numeric column) of a CSV file, or, for
    /// other text files, the numbers of every line that starts with a year followed by
    /// monthly values, month after month. Empty cells are NaN (missing).
    ///
    /// - Throws: `StrataError.io` when unreadable, `invalidArgument` for an unknown column,
    ///   `corruptFile` when no values are found.
    public static func read(contentsOf path: String, column: String? = nil) throws(StrataError) -> [Float] {
        if path.lowercased().hasSuffix(".csv") {
            let table = try CSVTable.read(contentsOf: path)
            let name = column ?? table.numericColumnNames.last
            guard let name, let values = table.numericColumn(name) else {
                throw .invalidArgument(op: "data", message: "column '\(column ?? "")' is not a numeric column of \(path); numeric columns: \(table.numericColumnNames.joined(separator: ", "))")
            }
            return values
        }
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        var values: [Float] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
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
}

/// A comma-separated table with a header line; quoted fields may hold commas.
public struct CSVTable: Sendable {
    public let columns: [String]
    public let rows: [[String]]

    /// - Throws: `StrataError.io` when unreadable, `corruptFile` with the byte offset of a
    ///   row whose field count differs from the header's.
    public static func read(contentsOf path: String) throws(StrataError) -> CSVTable {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "<csv>") throws(StrataError) -> CSVTable {
        var offset = 0
        var parsed: [(Int, [String])] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            defer { offset += line.utf8.count + 1 }
            let text = line.hasSuffix("\r") ? line.dropLast() : line
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            parsed.append((offset, fields(text)))
        }
        guard let header = parsed.first else { throw .corruptFile(path: path, offset: 0, message: "the file is empty") }
        for (rowOffset, row) in parsed.dropFirst() where row.count != header.1.count {
            throw .corruptFile(path: path, offset: rowOffset, message: "a row has \(row.count) fields, the header \(header.1.count)")
        }
        return CSVTable(columns: header.1, rows: parsed.dropFirst().map(\.1))
    }

    private static func fields(_ line: Substring) -> [String] {
        var result: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
            } else if character == "," && !quoted {
                result.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        result.append(current.trimmingCharacters(in: .whitespaces))
        return result
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
        let names = Array(Set(rows.map { $0[labelIndex] })).sorted { (Double($0) ?? .infinity, $0) < (Double($1) ?? .infinity, $1) }
        let values = features.compactMap { numericColumn($0) }
        let inputs = try Tensor(rows.indices.flatMap { row in values.map { $0[row] } }, shape: [rows.count, features.count])
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: rows.map { names.firstIndex(of: $0[labelIndex])! }),
                                 classNames: names)
    }
}
