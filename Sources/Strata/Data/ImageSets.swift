import Foundation

/// CIFAR-10/100, STL-10 and SVHN from the files their publishers distribute (as
/// `strata data download` leaves them), each with its own train/test split.
public enum ImageSets {
    static let cifar10Classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    /// Training and test parts of `name` (`cifar10`, `cifar100`, `stl10`, `svhn`) found in
    /// `directory` or its archive's folder (`cifar-10-batches-bin`, `stl10_binary`, …).
    ///
    /// - Throws: `StrataError.io` naming the file that is missing and where it was looked for.
    public static func load(_ name: String, directory: String) throws(StrataError) -> (train: TensorDataset, test: TensorDataset) {
        func find(_ file: String, in folders: [String]) throws(StrataError) -> String {
            let candidates = ([directory] + folders.map { (directory as NSString).appendingPathComponent($0) })
                .map { ($0 as NSString).appendingPathComponent(file) }
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
            throw .io(path: directory, message: "no \(file); tried \(candidates.joined(separator: ", "))")
        }
        func names(_ file: String, _ folders: [String]) -> [String]? {
            (try? find(file, in: folders)).flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        switch name {
        case "cifar10":
            let folders = ["cifar-10-batches-bin"]
            let classes = names("batches.meta.txt", folders) ?? cifar10Classes
            var batches: [String] = []
            for index in 1...5 { batches.append(try find("data_batch_\(index).bin", in: folders)) }
            return (try CIFARFile.load(batches, variant: .cifar10, classNames: classes),
                    try CIFARFile.load([try find("test_batch.bin", in: folders)], variant: .cifar10, classNames: classes))
        case "cifar100":
            let folders = ["cifar-100-binary"]
            let classes = names("fine_label_names.txt", folders) ?? (0..<100).map(String.init)
            return (try CIFARFile.load([try find("train.bin", in: folders)], variant: .cifar100(fine: true), classNames: classes),
                    try CIFARFile.load([try find("test.bin", in: folders)], variant: .cifar100(fine: true), classNames: classes))
        case "stl10":
            let folders = ["stl10_binary"]
            let classes = names("class_names.txt", folders) ?? (1...10).map(String.init)
            return (try STL10File.load(images: try find("train_X.bin", in: folders), labels: try find("train_y.bin", in: folders),
                                       classNames: classes),
                    try STL10File.load(images: try find("test_X.bin", in: folders), labels: try find("test_y.bin", in: folders),
                                       classNames: classes))
        default:
            return (try SVHNFile.load(try find("train_32x32.mat", in: [])), try SVHNFile.load(try find("test_32x32.mat", in: [])))
        }
    }
}
