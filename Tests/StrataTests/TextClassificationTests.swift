import Foundation
import XCTest
@testable import Strata

/// Text as sequences: a tokenizer for plain text, PyTorch's embedding, and a 1-D CNN on
/// Amazon fine-food reviews (r-cran-modeldata, tools/make_text_fixtures.py) against the
/// bag-of-words logistic regression scikit-learn fits on the same split.
final class TextClassificationTests: XCTestCase {
    private func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/text/\(name)").standardized.path
    }

    func testWordsAreLowerCasedWithoutMarkupAndKeepInnerApostrophes() {
        XCTAssertEqual(Tokenizer.tokens("I LOVE it.<br /><br />Don't buy 2 -- 'great'!", level: .word),
                       ["i", "love", "it", "don't", "buy", "2", "great"])
        XCTAssertEqual(Tokenizer.tokens("Ab c", level: .character), ["a", "b", " ", "c"])
    }

    func testVocabularyIsMostFrequentFirstAndUnknownsAndPaddingHaveTheirIds() throws {
        let tokenizer = Tokenizer(fitting: ["b a b", "c b a", "a d"], minimumCount: 2)
        XCTAssertEqual(tokenizer.vocabulary, ["a", "b"], "a and b three times each (ties alphabetical), c and d once")
        XCTAssertEqual(tokenizer.size, 4)
        XCTAssertEqual(tokenizer.encode("B c a"), [3, Tokenizer.unknown, 2])
        XCTAssertEqual(tokenizer.encode(["a b a b a", "d"], length: 3).toArray(), [2, 3, 2, 1, 0, 0])
        XCTAssertEqual(tokenizer.coveringLength(["a", "a b", String(repeating: "a ", count: 20)], fraction: 0.6), 8)
    }

    func testEmbeddingLooksUpRowsAndRefusesIdsOutsideTheTable() throws {
        let table = try Tensor((0..<12).map(Float.init), shape: [4, 3])
        let ids = try Tensor(labels: [3, 0, 3]).reshape([1, 3])
        XCTAssertEqual(try embedding(ids, weight: table).toArray(), [9, 10, 11, 0, 1, 2, 9, 10, 11])
        XCTAssertThrowsError(try embedding(try Tensor(labels: [1, 4]), weight: table)) { error in
            XCTAssertTrue("\(error)".contains("index 4 at position 1 is outside the table of 4 rows"), "\(error)")
        }
        let weight = table.detach()
        weight.requiresGrad = true
        try embedding(try Tensor(labels: [0, 2, 2, 0]), weight: weight, paddingIndex: 0).sum().backward()
        XCTAssertEqual(weight.grad?.toArray(), [0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0], "row 2 read twice; the padding row stays fixed")
        let layer = Embedding(10, 4, paddingIndex: 0)
        XCTAssertEqual(layer.stateDict().map(\.0), ["weight"])
        XCTAssertEqual(Array(layer.weight.toArray().prefix(4)), [0, 0, 0, 0], "PyTorch zeroes the padding row")
    }

    func testTextCNNHasKimsLayersUnderPyTorchNames() throws {
        let model = Models.TextCNN(vocabulary: 50, classes: 3)
        XCTAssertEqual(model.stateDict().map(\.0), ["embedding.weight", "convs.0.weight", "convs.0.bias", "convs.1.weight",
                                                    "convs.1.bias", "convs.2.weight", "convs.2.bias", "fc.weight", "fc.bias"])
        let report = try summary(model, input: [40])
        XCTAssertEqual(report.output, [1, 3])
        XCTAssertEqual(report.parameters, 50 * 128 + (3 + 4 + 5) * 128 * 100 + 300 + 300 * 3 + 3)
    }

    func testTheFilesOwnSplitIsUsedAndTokensBecomeInt64Ids() throws {
        let data = try LoadedData.load("text:fine_foods_train.csv.gz", directory: fixture(""))
        XCTAssertEqual(data.train.count, 4000)
        XCTAssertEqual(data.test.count, 1000, "fine_foods_test.csv.gz is the test part")
        XCTAssertEqual(data.train.inputs.dtype, .int64)
        XCTAssertEqual(data.train.classNames, ["great", "other"])
        XCTAssertEqual(data.inputShape.count, 1)
        XCTAssertGreaterThan(data.vocabulary ?? 0, 5000)
        let inspection = DatasetInspection(name: data.name, parts: [("train", data.train), ("test", data.test)])
        let tokens = try XCTUnwrap(inspection.tokens)
        XCTAssertLessThanOrEqual(tokens.idRange, data.vocabulary!)
        XCTAssertEqual(tokens.meanLength, 70, accuracy: 10, "reviews average 73 words; the longest 5% are cut")
        XCTAssertTrue(inspection.channels.isEmpty)
        XCTAssertTrue(inspection.description.contains("tokens per sample"), inspection.description)
    }

    /// Expected figures from Python on the same file (lower-cased, markup dropped): 67
    /// characters occur at least twice; 95% of the reviews have at most 1,061 of them.
    func testCharacterTokensAreSingleCharactersAndARunKeepsThem() throws {
        let data = try LoadedData.load("text:fine_foods_train.csv.gz", directory: fixture(""), tokens: .character)
        let tokenizer = try XCTUnwrap(data.tokenizer)
        XCTAssertEqual(tokenizer.level, .character)
        XCTAssertEqual(tokenizer.size, 67 + 2, "the double quote among them: a CSV field's \"\" is one \"")
        XCTAssertEqual(Array(tokenizer.vocabulary.prefix(5)), [" ", "e", "t", "a", "o"])
        XCTAssertEqual(data.inputShape, [1064], "1,061 characters rounded up to a multiple of 8")
        XCTAssertEqual(tokenizer.encode("Tea!"), ["t", "e", "a", "!"].map { tokenizer.vocabulary.firstIndex(of: $0)! + 2 })

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chars-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = (0..<40).map { $0 % 2 == 0 ? "Yummy treat \($0)!,great" : "stale and awful \($0),other" }
        try (["text,label"] + rows).joined(separator: "\n").write(to: folder.appendingPathComponent("snacks.csv"), atomically: true, encoding: .utf8)
        var recipe = TrainingRecipe()
        recipe.data = "text:snacks.csv"
        recipe.dataDirectory = folder.path
        recipe.tokens = .character
        recipe.epochs = 1
        recipe.progress = .silent
        recipe.output = folder.appendingPathComponent("run").path
        let outcome = try recipe.run()
        let description = try RunDescription.read(directory: recipe.output)
        XCTAssertEqual(description.recipe.tokens, .character)
        XCTAssertEqual(description.tokenizer?.level, .character, "evaluate and predict encode with the run's tokenizer")
        XCTAssertEqual(try description.loadData().inputShape, [24], "'stale and awful NN' has 18 characters, rounded up to 24")
        let report = try RunReport.build(run: recipe.output)
        XCTAssertEqual(report.confusion?.total, 8, "40 rows, 20% for testing")
        XCTAssertEqual(report.confusion?.accuracy, outcome.figures["test_accuracy"], "one epoch: best and last weights are the same")
        XCTAssertTrue(report.settings.contains { $0 == ("tokens", "character") }, "\(report.settings)")

        // resuming without --tokens character would fit a word tokenizer to the checkpoint's character table
        recipe.tokens = nil
        XCTAssertThrowsError(try recipe.run(resume: true)) { error in
            XCTAssertTrue("\(error)".contains("--resume: --tokens word differs from the run's character"), "\(error)")
        }
        XCTAssertEqual(try RunDescription.read(directory: recipe.output).tokenizer?.level, .character, "run.json is left as it was")
        recipe.tokens = .character
        // what the run was trained with, given or left to its default, passes; a label column it did not use does not
        recipe.normalization = Normalization.none
        XCTAssertNoThrow(try recipe.checkResumable(defaultNormalization: .none), "none is text's default")
        recipe.normalization = nil
        recipe.forecast.column = "text"
        XCTAssertThrowsError(try recipe.checkResumable(defaultNormalization: .none)) { error in
            XCTAssertTrue("\(error)".contains("--resume: --column text differs from the run's (not given)"), "\(error)")
        }
        recipe.forecast.column = nil

        recipe.data = "ucr:GunPoint"
        XCTAssertThrowsError(try recipe.run()) { error in
            XCTAssertTrue("\(error)".contains("--tokens character is not allowed: it applies to text: data only"), "\(error)")
        }
    }

    func testTokenIdsAreNotNormalised() throws {
        var recipe = TrainingRecipe()
        recipe.data = "text:" + fixture("fine_foods_train.csv.gz")
        recipe.normalization = .standard
        XCTAssertThrowsError(try recipe.run()) { error in
            XCTAssertTrue("\(error)".contains("--normalize standard") && "\(error)".contains("give none"), "\(error)")
        }
    }

    /// Measured (seed 0, 10 epochs): 78.8%. scikit-learn on the same split
    /// (Tests/Fixtures/text/baseline.json): bag-of-words counts 77.3%, tf-idf 78.9%, majority 65.8%.
    func testTheCNNBeatsBagOfWordsLogisticRegression() throws {
        let baseline = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("baseline.json")))) as! [String: Any]
        let bagOfWords = try XCTUnwrap((baseline["bag_of_words_logistic_regression"] as? [String: Double])?["counts"])
        var recipe = TrainingRecipe()
        recipe.data = "text:" + fixture("fine_foods_train.csv.gz")
        recipe.output = FileManager.default.temporaryDirectory.appendingPathComponent("text-\(UUID().uuidString)").path
        recipe.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: recipe.output) }
        let outcome = try recipe.run()
        XCTAssertEqual(outcome.test.classification?.samples, 1000)
        let description = try RunDescription.read(directory: recipe.output)
        XCTAssertEqual(description.tokenizer?.size, try LoadedData.load(recipe.data, directory: nil).vocabulary,
                       "the run keeps its tokenizer, so evaluation encodes texts as training did")
        XCTAssertEqual(description.recipe.model, "text-cnn", "run.json names the default it used")
        XCTAssertGreaterThan(outcome.figures["test_accuracy"]!, bagOfWords)
    }
}
