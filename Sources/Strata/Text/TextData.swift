import Foundation

extension LoadedData {
    /// Texts of a CSV file's `text` column (else the text column with the longest
    /// entries) and labels of `label` (else the last other column), as ids of a `Tokenizer`
    /// of `level` fitted on the training texts (or the one given, e.g. a trained run's),
    /// cut or padded to a length that keeps 95% of the training texts whole. A file named `…train…` whose `…test…` twin exists is the training
    /// part and the twin the test part (the set's own split); otherwise the rows are
    /// split stratified by `testFraction`.
    static func loadText(_ path: String, label: String?, seed: UInt64, testFraction: Double,
                         tokenizer given: Tokenizer? = nil, level: Tokenizer.Level = .word) throws(StrataError) -> LoadedData {
        let table = try CSVTable.read(contentsOf: path)
        let numeric = Set(table.numericColumnNames)
        func averageLength(_ index: Int) -> Int { table.rows.reduce(0) { $0 + $1[index].count } / Swift.max(table.rows.count, 1) }
        guard let textIndex = table.columns.firstIndex(of: "text")
                ?? table.columns.indices.filter({ !numeric.contains(table.columns[$0]) }).max(by: { averageLength($0) < averageLength($1) }),
              let labelIndex = label.flatMap({ table.columns.firstIndex(of: $0) }) ?? table.columns.indices.last(where: { $0 != textIndex }),
              label == nil || table.columns[labelIndex] == label, labelIndex != textIndex else {
            throw .invalidArgument(op: "data", message: "text:\(path) needs a text column and a label column (--column); its columns: \(table.columns.joined(separator: ", "))")
        }
        var trainRows = table.rows, testRows: [[String]] = []
        let file = (path as NSString).lastPathComponent
        if let range = file.range(of: "train", options: [.backwards, .caseInsensitive]) {
            let twin = ((path as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent(file.replacingCharacters(in: range, with: file[range] == "TRAIN" ? "TEST" : "test"))
            if FileManager.default.fileExists(atPath: twin) {
                let test = try CSVTable.read(contentsOf: twin)
                guard test.columns == table.columns else {
                    throw .invalidArgument(op: "data", message: "\(twin) has columns \(test.columns.joined(separator: ", ")), \(path) has \(table.columns.joined(separator: ", "))")
                }
                testRows = test.rows
            }
        }
        let classNames = CSVTable.sortedLabels(trainRows.map { $0[labelIndex] })
        if testRows.isEmpty {
            let labels = trainRows.map { classNames.firstIndex(of: $0[labelIndex])! }
            let (keep, heldOut) = Splits.stratified(labels: labels, fraction: testFraction, seed: seed)
            (trainRows, testRows) = (keep.map { trainRows[$0] }, heldOut.map { trainRows[$0] })
        }
        if let unknown = testRows.first(where: { !classNames.contains($0[labelIndex]) }) {
            throw .invalidArgument(op: "data", message: "the test label '\(unknown[labelIndex])' does not occur in the training part of \(path)")
        }
        let tokenizer = given ?? Tokenizer(fitting: trainRows.map { $0[textIndex] }, level: level)
        let length = tokenizer.coveringLength(trainRows.map { $0[textIndex] })
        func dataset(_ rows: [[String]]) throws(StrataError) -> TensorDataset {
            try TensorDataset(inputs: tokenizer.encode(rows.map { $0[textIndex] }, length: length),
                              targets: try Tensor(labels: rows.map { classNames.firstIndex(of: $0[labelIndex])! }), classNames: classNames)
        }
        return LoadedData(name: "text:\(path)", train: try dataset(trainRows), validation: nil, test: try dataset(testRows),
                          task: .classification(classNames: classNames), targetScale: 1, baselines: [:],
                          defaultNormalization: .none, tokenizer: tokenizer)
    }
}
