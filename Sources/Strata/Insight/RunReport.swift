import Foundation

/// One self-contained HTML page about a training run — settings, the model's summary,
/// learning curves, the test evaluation (confusion matrix, per-class precision, recall and
/// F1, or regression errors), the most confidently wrong test samples, the first layer's
/// filters and an activation grid (for series: line plots) — with every picture inline (SVG,
/// base64 PNG), so it opens anywhere without network access.
public struct RunReport {
    public let title: String
    public let settings: [(String, String)]
    public let summary: ModelSummary
    public let history: TrainingHistory
    public let metricName: String
    public let confusion: ConfusionMatrix?
    public let regression: RegressionMetrics?
    /// Misclassified test samples, most confident first: picture, truth, prediction, its probability.
    public let wrong: [(picture: RawImage?, index: Int, truth: String, predicted: String, confidence: Double)]
    public let filters: (layer: String, picture: RawImage)?
    public let activations: (layer: String, picture: RawImage)?

    /// Builds the report of the run folder `directory` from its best weights (or last, or
    /// final) and its test data.
    ///
    /// - Throws: `StrataError.io` for a folder without `run.json` or without weights
    ///   (naming the files looked for); data and shape errors as they occur.
    public static func build(run directory: String, dataDirectory: String? = nil) throws(StrataError) -> RunReport {
        let description = try RunDescription.read(directory: directory)
        let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
        let candidates = ["best.ckpt", "last.ckpt", "model.safetensors"]
        guard let weights = candidates.first(where: { FileManager.default.fileExists(atPath: path($0)) }) else {
            throw .io(path: directory, message: "the run folder has no weights (looked for \(candidates.joined(separator: ", "))); train it first")
        }
        let model = try description.makeModel()
        if weights.hasSuffix(".ckpt") {
            var values: [String: Tensor] = [:]
            for (name, tensor) in try Safetensors.read(contentsOf: path(weights)) where name.hasPrefix("model.") {
                values[String(name.dropFirst(6))] = tensor
            }
            try model.loadStateDict(values)
        } else {
            try model.load(from: path(weights))
        }
        model.eval()
        let history = FileManager.default.fileExists(atPath: path("last.ckpt")) ? try Checkpoint.history(at: path("last.ckpt")).history
            : TrainingHistory()
        let recipe = description.recipe
        let data = try description.loadData(dataDirectory: dataDirectory)
        let test = try TensorDataset(inputs: try description.normalizer.apply(data.test.inputs), targets: data.test.targets)
        let classification = !description.classNames.isEmpty
        var confusion: ConfusionMatrix?, regression: RegressionMetrics?
        var wrong: [(RawImage?, Int, String, String, Double)] = []
        let mean = description.normalizer.offset, std = description.normalizer.scale
        var metrics = ClassificationMetrics(classNames: description.classNames)
        var errors = RegressionMetrics()
        for batch in try DataLoader(test, batchSize: 256).batches(epoch: 0) {
            let (inputs, targets) = try batch.get()
            let output = try withoutGradients { () throws(StrataError) in try model(inputs) }
            guard classification else {
                errors.add(predictions: output, targets: targets, meanLoss: 0)
                continue
            }
            metrics.add(logits: output, labels: targets, meanLoss: 0)
            let probabilities = try softmax(output, axis: 1).toArray(), labels = targets.toLabels()
            let classes = description.classNames.count
            for (row, label) in labels.enumerated() {
                let scores = probabilities[(row * classes)..<((row + 1) * classes)]
                guard let best = scores.indices.max(by: { scores[$0] < scores[$1] }), best - row * classes != label else { continue }
                let sample = try inputs.slice(axis: 0, start: row, end: row + 1)
                let picture = sample.rank == 4 && (sample.shape[1] == 1 || sample.shape[1] == 3)
                    ? ImageRendering.picture(sample, mean: mean.isEmpty ? [0] : mean, std: std.isEmpty ? [1] : std)
                    : sample.rank == 3 ? try SeriesPlot.picture(sample, channelLimit: Swift.min(description.inputShape.first ?? 1, 4), panelHeight: 40)
                    : nil
                wrong.append((picture, wrong.count, description.classNames[label], description.classNames[best - row * classes],
                              Double(scores[best])))
            }
        }
        if classification { confusion = metrics.confusion } else { regression = errors }
        wrong.sort { $0.4 > $1.4 }
        let convolutions = model.namedModules().compactMap { name, module in (module as? ConvolutionLayer).map { (name, $0) } }
        let filters = try convolutions.first.map { layer throws(StrataError) in (layer.0, try FeatureMaps.filters(layer.1.weight, limit: 32)) }
        var activations: (String, RawImage)?
        if let (name, _) = convolutions.first, test.count > 0, description.inputShape.count >= 2 {
            let (_, captured) = try withoutGradients { () throws(StrataError) in
                try model.forward(try test.batch([0]).inputs, capturing: [name])
            }
            if let output = captured[name], output.rank == 4 || output.rank == 3 { activations = (name, try FeatureMaps.grid(output, limit: 32)) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var settings: [(String, String)] = [("run folder", directory), ("model", description.modelName), ("data", recipe.data),
                                           ("input", ShapeNotation.describeSample(description.inputShape)),
                                           ("weights shown", weights)]
        if let json = try? encoder.encode(recipe), let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] {
            settings += object.keys.sorted().compactMap { key in
                guard let value = object[key], !(value is NSNull), !["data", "model"].contains(key),
                      key != "forecast" || recipe.data.lowercased().hasPrefix("forecast:") else { return nil }
                return (key, "\(value)")
            }
        }
        return RunReport(title: "Strata run \((directory as NSString).lastPathComponent)", settings: settings,
                         summary: try Strata.summary(model, input: description.modelInputShape), history: history,
                         metricName: classification ? "accuracy" : "mae", confusion: confusion, regression: regression,
                         wrong: Array(wrong.prefix(12)).map { (picture: $0.0, index: $0.1, truth: $0.2, predicted: $0.3, confidence: $0.4) },
                         filters: filters, activations: activations)
    }

    /// The page.
    public var html: String {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1100px; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ccc; } h3 { font-size: 14px; }
            table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 8px; border: 1px solid #ddd; text-align: right; }
            th { background: #f3f3f3; } td.name { text-align: left; }
            pre { font-size: 11px; background: #fafafa; border: 1px solid #eee; padding: 8px; overflow-x: auto; }
            .samples figure { display: inline-block; margin: 6px; text-align: center; font-size: 11px; }
            img.pixel { image-rendering: pixelated; }
            </style></head><body>
            <h1>\(escape(title))</h1>

            """
        page += "<h2>Settings</h2>\n<table id=\"settings\">" + settings.map { "<tr><td class=\"name\">\(escape($0.0))</td><td class=\"name\">\(escape($0.1))</td></tr>" }.joined() + "</table>\n"
        page += "<h2>Model</h2>\n<p>\(grouped(summary.parameters)) parameters, \(compact(summary.flops)) FLOPs per sample, output \(ShapeNotation.describe(summary.output)).</p>\n"
        page += "<pre id=\"summary\">\(escape(summary.description))</pre>\n"
        page += "<h2>Learning curves</h2>\n<div id=\"curves\">" + (history.epochs.isEmpty ? "<p>No epochs recorded.</p>" : LearningCurves.svg(history, metricName: metricName)) + "</div>\n"
        if let confusion {
            page += "<h2>Test evaluation</h2>\n<p id=\"accuracy\">Accuracy \(String(format: "%.2f%%", confusion.accuracy * 100)) (\(confusion.correct) of \(confusion.total)).</p>\n"
            page += confusionTable(confusion) + perClassTable(confusion)
        } else if let regression {
            page += "<h2>Test evaluation</h2>\n<p id=\"accuracy\">MAE \(String(format: "%.4f", regression.meanAbsoluteError)), RMSE \(String(format: "%.4f", regression.rootMeanSquaredError)) (normalised units, \(regression.samples) samples).</p>\n"
        }
        if !wrong.isEmpty {
            page += "<h2>Most confidently wrong test samples</h2>\n<div id=\"wrong\" class=\"samples\">"
            for sample in wrong {
                let picture = sample.picture.map { "<img class=\"pixel\" width=\"\(Swift.max($0.width, 64))\" src=\"\(dataURL($0))\" alt=\"test sample\"><br>" } ?? ""
                page += "<figure>\(picture)true \(escape(sample.truth)), predicted \(escape(sample.predicted)) (\(String(format: "%.0f%%", sample.confidence * 100)))</figure>"
            }
            page += "</div>\n"
        }
        if let filters {
            page += "<h2>First-layer filters (\(escape(filters.layer)))</h2>\n<img id=\"filters\" class=\"pixel\" src=\"\(dataURL(filters.picture))\" alt=\"filters\">\n"
        }
        if let activations {
            page += "<h2>Activations of \(escape(activations.layer)) for the first test sample</h2>\n<img id=\"activations\" class=\"pixel\" src=\"\(dataURL(activations.picture))\" alt=\"activations\">\n"
        }
        return page + "</body></html>\n"
    }

    private func confusionTable(_ confusion: ConfusionMatrix) -> String {
        let largest = Swift.max(confusion.counts.flatMap { $0 }.max() ?? 1, 1)
        var table = "<h3>Confusion matrix (rows: true, columns: predicted)</h3>\n<table id=\"confusion\"><tr><th></th>"
        table += confusion.classNames.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        for (row, counts) in confusion.counts.enumerated() {
            table += "<tr><th>\(escape(confusion.classNames[row]))</th>"
            for (column, count) in counts.enumerated() {
                let shade = Int(255 - 160 * Double(count) / Double(largest))
                let colour = row == column ? "rgb(\(shade),255,\(shade))" : (count > 0 ? "rgb(255,\(shade),\(shade))" : "white")
                table += "<td style=\"background:\(colour)\">\(count)</td>"
            }
            table += "</tr>"
        }
        return table + "</table>\n"
    }

    private func perClassTable(_ confusion: ConfusionMatrix) -> String {
        var table = "<h3>Per class</h3>\n<table id=\"per-class\"><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>"
        for (index, name) in confusion.classNames.enumerated() {
            table += "<tr><td class=\"name\">\(escape(name))</td><td>\(String(format: "%.3f", confusion.precision(index)))</td>"
                + "<td>\(String(format: "%.3f", confusion.recall(index)))</td><td>\(String(format: "%.3f", confusion.f1(index)))</td>"
                + "<td>\(confusion.counts[index].reduce(0, +))</td></tr>"
        }
        return table + "</table>\n"
    }

    private func dataURL(_ picture: RawImage) -> String {
        "data:image/png;base64," + ((try? ImageCodec.encodePNG(picture))?.base64EncodedString() ?? "")
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func grouped(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    private func compact(_ value: Int) -> String {
        value >= 1_000_000_000 ? String(format: "%.2fG", Double(value) / 1e9)
            : value >= 1_000_000 ? String(format: "%.2fM", Double(value) / 1e6) : String(format: "%.1fK", Double(value) / 1e3)
    }
}
