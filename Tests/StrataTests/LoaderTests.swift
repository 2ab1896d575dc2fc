import Foundation
import XCTest
@testable import Strata

/// Every loader on its real file in shared/data (counts as the data README states) or on
/// small files written here in the official layout.
final class LoaderTests: XCTestCase {
    func testMNISTAndDigitsCounts() throws {
        let (train, test) = try DigitDatasets.mnist(directory: SharedData.path("data/mnist"))
        XCTAssertEqual(train.inputs.shape, [60_000, 1, 28, 28])
        XCTAssertEqual(test.count, 10_000)
        var counts = [Int](repeating: 0, count: 10)
        for label in test.labels { counts[label] += 1 }
        XCTAssertEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        XCTAssertEqual(train.inputs.toArray().max(), 1)
        let digits = try DigitDatasets.uciDigits()
        XCTAssertEqual(digits.inputs.shape, [1797, 1, 8, 8])
        XCTAssertEqual(digits.labels.filter { $0 == 3 }.count, 183)
    }

    func testEveryTimeSeriesSet() throws {
        // (set, train cases, test cases, dimensions, length range, classes) from the data README
        let expected: [(String, Int, Int, Int, ClosedRange<Int>, Int)] = [
            ("ACSF1", 100, 100, 1, 1460...1460, 10), ("ArrowHead", 36, 175, 1, 251...251, 3),
            ("BasicMotions", 40, 40, 6, 100...100, 4), ("GunPoint", 50, 150, 1, 150...150, 2),
            ("ItalyPowerDemand", 67, 1029, 1, 24...24, 2), ("JapaneseVowels", 270, 370, 12, 7...29, 9),
            ("OSULeaf", 200, 242, 1, 427...427, 6), ("PLAID", 537, 537, 1, 100...1344, 11),
        ]
        for (name, trainCount, testCount, dimensions, lengths, classes) in expected {
            let folder = SharedData.path("data/ucr-uea/\(name)")
            let train = try TimeSeriesFile.read(contentsOf: "\(folder)/\(name)_TRAIN.ts")
            let test = try TimeSeriesFile.read(contentsOf: "\(folder)/\(name)_TEST.ts")
            XCTAssertEqual(train.count, trainCount, name)
            XCTAssertEqual(test.count, testCount, name)
            XCTAssertEqual(train.dimensions, dimensions, name)
            XCTAssertEqual(train.classNames.count, classes, name)
            XCTAssertTrue(lengths.contains(train.lengths.min()!) && lengths.contains((train.lengths + test.lengths).max()!), name)
            XCTAssertEqual(train.missingValues, 0, name)
        }
        let motions = try TimeSeriesFile.read(contentsOf: SharedData.path("data/ucr-uea/BasicMotions/BasicMotions_TEST.ts"))
        XCTAssertEqual(motions.classNames, ["Standing", "Running", "Walking", "Badminton"])
        XCTAssertEqual(motions.labels.filter { $0 == 0 }.count, 10)
        XCTAssertEqual(try motions.dataset().inputs.shape, [40, 6, 100])
    }

    func testUnequalLengthsArePaddedOrResampledToTheLongest() throws {
        let cases = try TimeSeriesFile.decodeTSV(Data("1\t0\t2\t4\t6\t8\n2\t1\t3\t5\n".utf8))
        XCTAssertEqual(try cases.dataset().inputs.toArray(), [0, 2, 4, 6, 8, 1, 3, 5, 0, 0])
        XCTAssertEqual(try cases.dataset(resample: true).inputs.toArray(), [0, 2, 4, 6, 8, 1, 2, 3, 4, 5],
                       "1, 3, 5 stretched over five steps by linear interpolation")
        let vowels = try LoadedData.load("ucr:JapaneseVowels", directory: SharedData.path("data/ucr-uea"))
        XCTAssertEqual(vowels.inputShape, [12, 29])
        let last = try vowels.train.inputs.slice(axis: 2, start: 28).abs().sum(axes: [1, 2]).toArray()
        XCTAssertFalse(last.contains(0), "no case ends in padding")
        XCTAssertEqual(vowels.defaultNormalization, .standard, "multivariate: per channel, keeping each case's level")
        XCTAssertEqual(try LoadedData.load("ucr:GunPoint", directory: SharedData.path("data/ucr-uea")).defaultNormalization, .sample)
    }

    func testCasesAreZNormalisedOneByOneOnlyWhereTheArchiveShipsThemSo() throws {
        let normalised = try TimeSeriesFile.decodeTSV(Data("1\t-1\t1\n2\t-1.2247\t0\t1.2247\n1\t0\t0\n".utf8))
        XCTAssertTrue(normalised.isZNormalised, "population divisor, constant case")
        let sampleDivisor = try TimeSeriesFile.decodeTSV(Data("1\t-0.7071\t0.7071\n".utf8))
        XCTAssertTrue(sampleDivisor.isZNormalised, "std 1 with n − 1: √(1/2) with n")
        XCTAssertFalse(try TimeSeriesFile.decodeTSV(Data("1\t-1\t1\n2\t-0.5\t0.5\n".utf8)).isZNormalised, "std 0.5")
        XCTAssertFalse(try TimeSeriesFile.decodeTSV(Data("1\t0\t2\n".utf8)).isZNormalised, "mean 1")
        XCTAssertFalse(try TimeSeriesFile.decodeTSV(Data("1\t-0.00002\t0.00001\t0.00003\n".utf8)).isZNormalised,
                       "microvolts: small, but not a constant case")
        let directory = SharedData.path("data/ucr-uea")
        for name in ["ACSF1", "ArrowHead", "GunPoint", "ItalyPowerDemand", "OSULeaf"] {
            XCTAssertEqual(try LoadedData.load("ucr:\(name)", directory: directory).defaultNormalization, .sample, name)
        }
        let plaid = try LoadedData.load("ucr:PLAID", directory: directory)
        XCTAssertEqual(plaid.defaultNormalization, .sampleLevel, "currents from 0.002 A to 96 A: the amplitude is the appliance")
        let raw = try TimeSeriesFile.read(contentsOf: SharedData.path("data/ucr-uea/PLAID/PLAID_TRAIN.ts"))
        XCTAssertFalse(raw.isZNormalised)
    }

    func testTSVAndMissingValues() throws {
        let tsv = try TimeSeriesFile.decodeTSV(Data("1\t0.5\t1.5\n2\tNaN\t2.5\r\n1\t3\tNaN\n".utf8))
        XCTAssertEqual(tsv.count, 3)
        XCTAssertEqual(tsv.lengths, [2, 2, 1], "trailing NaN pads a shorter case (the 2018 archive's convention)")
        XCTAssertEqual(tsv.labels, [0, 1, 0])
        XCTAssertEqual(tsv.missingValues, 1)
        let ts = try TimeSeriesFile.decode(Data("@problemName x\n@classLabel true a b\n@data\n1,?,3:4,5,6:b\n".utf8))
        XCTAssertEqual(ts.series[0][0][1].isNaN, true)
        XCTAssertEqual(ts.labels, [1])
        guard case .corruptFile(_, let offset, let message)? = thrownError({
            _ = try TimeSeriesFile.decode(Data("@classLabel true a b\n@data\n1,2:a\n1,x:b\n".utf8))
        }) else { return XCTFail() }
        XCTAssertEqual(offset, 33)
        XCTAssertTrue(message.contains("'x' is not a number"), message)
    }

    func testMissingValuesAreFilledAlongTheLineBetweenTheirNeighboursBeforeNormalising() throws {
        let nan = Float.nan
        XCTAssertEqual(TimeSeriesCollection.filledGaps([nan, 10, nan, nan, 16, 20, nan]), [10, 10, 12, 14, 16, 20, 20])
        XCTAssertEqual(TimeSeriesCollection.filledGaps([nan, nan]), [0, 0])
        // A counter near 100 with one reading missing: the case keeps its level and shape.
        let counts = try TimeSeriesFile.decodeTSV(Data("1\t100\t102\tNaN\t106\n2\t50\t50\t50\t51\n".utf8))
        let dataset = try counts.dataset()
        XCTAssertEqual(Array(dataset.inputs.toArray().prefix(4)), [100, 102, 104, 106])
        XCTAssertEqual(Array(try counts.dataset(length: 7, resample: true).inputs.toArray().prefix(7)), [100, 101, 102, 103, 104, 105, 106])
    }

    func testForecastingFilesCounts() throws {
        let counts: [(String, String?, Int)] = [
            ("forecasting-sktime/Airline.csv", "Passengers", 144), ("forecasting-sktime/Lynx.csv", nil, 114),
            ("forecasting-sktime/ShampooSales.csv", "Sales", 36), ("forecasting-sktime/PBS_dataset.csv", "Scripts", 204),
            ("forecasting-sktime/solar.csv", "solar_gen", 289), ("forecasting-sktime/seatbelts.csv", "KSI", 192),
            ("forecasting-sktime/Uschange.csv", "Consumption", 187), ("forecasting-sktime/Longley.csv", "TOTEMP", 16),
            ("forecasting-statsmodels/nile.csv", "volume", 100), ("forecasting-statsmodels/sunspots.csv", "SUNACTIVITY", 309),
            ("forecasting-statsmodels/co2.csv", "co2", 2284), ("forecasting-statsmodels/macrodata.csv", "realgdp", 203),
            ("forecasting-statsmodels/elnino.csv", "JAN", 61),
        ]
        for (file, column, count) in counts {
            XCTAssertEqual(try SeriesFile.read(contentsOf: SharedData.path("data/\(file)"), column: column).count, count, file)
        }
        XCTAssertEqual(try SeriesFile.read(contentsOf: SharedData.path("data/forecasting-statsmodels/co2.csv"), column: "co2")
            .filter(\.isNaN).count, 59)
        // 1749–2008 complete and January to June 2009
        let monthly = try SeriesFile.read(contentsOf: SharedData.path("data/forecasting-statsmodels/sunspots_monthly.dat"))
        XCTAssertEqual(monthly.count, 260 * 12 + 6)
        XCTAssertEqual(Array(monthly.prefix(3)), [58.0, 62.6, 70.0])
        let iris = try CSVTable.read(contentsOf: SharedData.path("data/sklearn-iris/iris.csv"))
        XCTAssertEqual(iris.rows.count, 150)
    }

    func testMissingSetFilesNameEveryPathTried() throws {
        let folder = try TestFiles.temporaryFolder("absent")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.path
        XCTAssertThrowsError(try LoadedData.load("ucr:Absent", directory: directory)) { error in
            XCTAssertTrue("\(error)".contains("no Absent_TRAIN file; tried \(directory)/Absent/Absent_TRAIN.ts, \(directory)/Absent/Absent_TRAIN.tsv, \(directory)/Absent_TRAIN.ts, \(directory)/Absent_TRAIN.tsv"), "\(error)")
        }
        XCTAssertThrowsError(try ImageSets.load("cifar10", directory: directory)) { error in
            XCTAssertTrue("\(error)".contains("no data_batch_1.bin; tried \(directory)/data_batch_1.bin, \(directory)/cifar-10-batches-bin/data_batch_1.bin"), "\(error)")
        }
    }

    func testCIFARBinaryLayouts() throws {
        let folder = try TestFiles.temporaryFolder("cifar")
        defer { try? FileManager.default.removeItem(at: folder) }
        // two CIFAR-10 records: label, then red, green, blue planes of 32×32
        var bytes: [UInt8] = []
        for (label, value) in [(3, 10), (7, 200)] {
            bytes.append(UInt8(label))
            for channel in 0..<3 { bytes += [UInt8](repeating: UInt8(value + channel), count: 1024) }
        }
        let path = folder.appendingPathComponent("data_batch_1.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let cifar = try CIFARFile.load([path], variant: .cifar10)
        XCTAssertEqual(cifar.inputs.shape, [2, 3, 32, 32])
        XCTAssertEqual(cifar.labels, [3, 7])
        XCTAssertEqual(cifar.inputs.toArray()[1024], 11 / 255, accuracy: 1e-7)   // green plane of image 0
        // CIFAR-100: coarse and fine label bytes
        let record: [UInt8] = [4, 42] + [UInt8](repeating: 1, count: 3072)
        let hundred = folder.appendingPathComponent("train.bin").path
        try Data(record + record).write(to: URL(fileURLWithPath: hundred))
        XCTAssertEqual(try CIFARFile.load([hundred], variant: .cifar100(fine: true)).labels, [42, 42])
        XCTAssertEqual(try CIFARFile.load([hundred], variant: .cifar100(fine: false)).labels, [4, 4])
        try Data(bytes.dropLast()).write(to: URL(fileURLWithPath: path))
        guard case .corruptFile(_, let offset, _)? = thrownError({ _ = try CIFARFile.load([path], variant: .cifar10) }) else { return XCTFail() }
        XCTAssertEqual(offset, 3073)
    }

    func testSTL10ColumnMajorImages() throws {
        let folder = try TestFiles.temporaryFolder("stl")
        defer { try? FileManager.default.removeItem(at: folder) }
        // one image whose pixel value encodes its column-major position (mod 251)
        let image = (0..<(3 * 96 * 96)).map { UInt8($0 % 251) }
        try Data(image).write(to: folder.appendingPathComponent("train_X.bin"))
        try Data([10]).write(to: folder.appendingPathComponent("train_y.bin"))
        let stl = try STL10File.load(images: folder.appendingPathComponent("train_X.bin").path,
                                     labels: folder.appendingPathComponent("train_y.bin").path)
        XCTAssertEqual(stl.inputs.shape, [1, 3, 96, 96])
        XCTAssertEqual(stl.labels, [9])
        // row 1, column 0 of channel 0 is stored at index 1 (column-major)
        XCTAssertEqual(stl.inputs.toArray()[96], 1 / 255, accuracy: 1e-7)
        XCTAssertEqual(stl.inputs.toArray()[1], Float(96 % 251) / 255, accuracy: 1e-7)
    }

    func testSVHNMatFilesCompressedOrNot() throws {
        let folder = try TestFiles.temporaryFolder("svhn")
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 2
        let pixels = (0..<(32 * 32 * 3 * count)).map { UInt8($0 % 256) }
        let labels = [10.0, 3.0].flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        for compressed in [false, true] {
            let path = folder.appendingPathComponent("train_32x32-\(compressed).mat").path
            try Data(TestFiles.matFile([("X", [32, 32, 3, count], 2, pixels), ("y", [count, 1], 9, labels)],
                                       compressed: compressed)).write(to: URL(fileURLWithPath: path))
            let svhn = try SVHNFile.load(path)
            XCTAssertEqual(svhn.inputs.shape, [2, 3, 32, 32])
            XCTAssertEqual(svhn.labels, [0, 3], "label 10 is the digit 0")
            // MATLAB order: X(row 0, column 1, channel 0, image 0) is element 32
            XCTAssertEqual(svhn.inputs.toArray()[1], 32 / 255, accuracy: 1e-7)
        }
    }

    func testNumpyArchivesStoredAndDeflated() throws {
        let folder = try TestFiles.temporaryFolder("npz")
        defer { try? FileManager.default.removeItem(at: folder) }
        let x = [UInt8](NumpyArray.encode(try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])))
        let y = [UInt8](NumpyArray.encode(try Tensor(labels: [0, 1])))
        for deflated in [false, true] {
            let path = folder.appendingPathComponent("arrays-\(deflated).npz").path
            try Data(TestFiles.zip([("x.npy", x), ("y.npy", y)], deflated: deflated)).write(to: URL(fileURLWithPath: path))
            let arrays = try NumpyArchive.read(contentsOf: path)
            XCTAssertEqual(arrays["x"]?.toArray(), [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(arrays["y"]?.toLabels(), [0, 1])
        }
    }

    func testImageFolderWithPNGAndJPEG() throws {
        let root = try TestFiles.temporaryFolder("images")
        defer { try? FileManager.default.removeItem(at: root) }
        for (name, value) in [("cat", 40), ("dog", 200)] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let image = RawImage(width: 4, height: 2, channels: 3, pixels: (0..<24).map { UInt8(value + $0 % 3) })
            try ImageCodec.encodePNG(image).write(to: folder.appendingPathComponent("a.png"))
            try ImageCodec.encodeJPEG(image, quality: 100).write(to: folder.appendingPathComponent("b.jpg"))
        }
        let dataset = try ImageFolder.load(root.path)
        XCTAssertEqual(dataset.classNames, ["cat", "dog"])
        XCTAssertEqual(dataset.inputs.shape, [4, 3, 2, 4])
        XCTAssertEqual(dataset.labels, [0, 0, 1, 1])
        let values = dataset.inputs.toArray()
        XCTAssertEqual(values[0], 40 / 255, accuracy: 1e-7, "PNG is lossless")
        XCTAssertEqual(values[8], 41 / 255, accuracy: 1e-7, "green plane")
        XCTAssertEqual(values[24], 40 / 255, accuracy: 3 / 255, "JPEG at quality 100 is close")
        let resized = try ImageFolder.load(root.path, channels: 1, size: (4, 8))
        XCTAssertEqual(resized.inputs.shape, [4, 1, 4, 8])
        try Data("not an image".utf8).write(to: root.appendingPathComponent("cat/c.png"))
        guard case .corruptFile(let path, _, _)? = thrownError({ _ = try ImageFolder.load(root.path) }) else { return XCTFail() }
        XCTAssertTrue(path.hasSuffix("cat/c.png"), path)
    }
}

/// Data sets in their publishers' layouts, trained from the command line.
final class DataSourceTests: XCTestCase {
    func testCSVQuotesHoldCommasAndDoubledQuotes() throws {
        let table = try CSVTable.decode(Data("text,label\n\"none of the \"\"Holiday\"\" teas, sadly\",other\n\"\"\"Best\"\"\", 5\n".utf8))
        XCTAssertEqual(table.columns, ["text", "label"])
        XCTAssertEqual(table.rows, [["none of the \"Holiday\" teas, sadly", "other"], ["\"Best\"", "5"]])
    }

    func testCSVQuotedLineBreaksStayInTheFieldAndAnOpenQuoteIsReportedAtItsRow() throws {
        let table = try CSVTable.decode(Data("text,label\r\n\"two\r\n\r\nparagraphs\",1\r\nplain,0\r\n".utf8))
        XCTAssertEqual(table.rows, [["two\n\nparagraphs", "1"], ["plain", "0"]])
        XCTAssertThrowsError(try CSVTable.decode(Data("text,label\nfine,1\n\"never closed,0\nnext,1\n".utf8), path: "t.csv")) { error in
            guard case let StrataError.corruptFile(path, offset, message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "t.csv")
            XCTAssertEqual(offset, 18)
            XCTAssertTrue(message.contains("never closed"), message)
        }
    }

    func testCSVQuoteInsideAnUnquotedFieldIsACharacterAndQuotedSpacesStay() throws {
        // inches: before, the quote opened quoting and swallowed the next two rows into one
        let table = try CSVTable.decode(Data("text,label\na 12\" pizza,1\ngood,0\n\"  indented \" , 1\nan 8\" sub,1\n".utf8))
        XCTAssertEqual(table.rows, [["a 12\" pizza", "1"], ["good", "0"], ["  indented ", "1"], ["an 8\" sub", "1"]])
    }

    func testTrainOnCIFAR10FilesAndOnACSVTable() throws {
        let folder = try TestFiles.temporaryFolder("cifar10")
        defer { try? FileManager.default.removeItem(at: folder) }
        let batches = folder.appendingPathComponent("cifar-10-batches-bin")
        try FileManager.default.createDirectory(at: batches, withIntermediateDirectories: true)
        var rng = RandomGenerator(seed: 3)
        func records(_ count: Int) -> Data {
            // class k: images brighter with k, so a network can tell them apart
            Data((0..<count).flatMap { index -> [UInt8] in
                let label = index % 10
                return [UInt8(label)] + (0..<3072).map { _ in UInt8(label * 20 + rng.nextInt(below: 40)) }
            })
        }
        for index in 1...5 { try records(40).write(to: batches.appendingPathComponent("data_batch_\(index).bin")) }
        try records(50).write(to: batches.appendingPathComponent("test_batch.bin"))
        try Data("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n".utf8)
            .write(to: batches.appendingPathComponent("batches.meta.txt"))
        let run = folder.appendingPathComponent("run").path
        let (status, output) = try CLITests.strata(["train", "--data", "cifar10", "--data-dir", folder.path, "--epochs", "10", "--batch-size", "16",
                                                    "--output", run, "--json"])
        XCTAssertEqual(status, 0, output)
        let result = try JSONSerialization.jsonObject(with: Data(output.split(separator: "\n").last!.utf8)) as! [String: Any]
        XCTAssertGreaterThan(result["test_accuracy"] as? Double ?? 0, 0.5, "\(result)")
        let description = try RunDescription.read(directory: run)
        XCTAssertEqual(description.classNames.first, "airplane")
        XCTAssertEqual(description.inputShape, [3, 32, 32])

        let (iris, text) = try CLITests.strata(["train", "--data", "csv:" + SharedData.path("data/sklearn-iris/iris.csv"),
                                                "--output", folder.appendingPathComponent("iris").path, "--json"])
        XCTAssertEqual(iris, 0, text)
        let irisResult = try JSONSerialization.jsonObject(with: Data(text.split(separator: "\n").last!.utf8)) as! [String: Any]
        XCTAssertGreaterThan(irisResult["test_accuracy"] as? Double ?? 0, 0.8, "\(irisResult)")
    }
}
