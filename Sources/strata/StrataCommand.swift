import ArgumentParser
import Foundation
import Strata

@main
struct StrataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Convolutional networks on images and sequences, from raw data to an explained model.",
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, SummaryCommand.self,
                      ConvShapeCommand.self, DataCommand.self, ParityCommand.self, ImportCommand.self, ExportCommand.self, FinetuneCommand.self, InsightCommand.self, ReportCommand.self])

    /// Runs the command; wrong options and invalid values exit with 2 after saying which
    /// option, the value and what is allowed.
    static func main() {
        // a write beyond the file-size limit (`ulimit -f`) fails with EFBIG, reported as a
        // typed error, instead of the default SIGXFSZ killing the process mid-run
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            FileHandle.standardError.write(Data("error: \(error.underlying)\n".utf8))
            Foundation.exit(2)
        } catch let error as StrataError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(isUsage(error) ? 2 : 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    /// Errors about what the user asked for (options, values), as opposed to failures
    /// while doing it.
    private static func isUsage(_ error: StrataError) -> Bool {
        switch error {
        case .invalidArgument(let op, _): return ["train", "data", "model", "conv-shape", "predict", "model file", "finetune", "rename"].contains(op)
        default: return false
        }
    }
}

/// A failure caused by what the user gave (a layer, a file, a class): exits with 2.
struct InputError: Error {
    let underlying: StrataError

    /// Runs `body`, reporting its Strata errors as input errors.
    static func wrap(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as StrataError {
            throw InputError(underlying: error)
        }
    }
}

/// The `--json` flag and printing a result as one JSON object.
enum JSONOutput {
    static func print(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}

extension TrainingRecipe.OptimizerKind: ExpressibleByArgument {}
extension TrainingRecipe.Schedule: ExpressibleByArgument {}
extension ProgressStyle: ExpressibleByArgument {}
extension Normalization: ExpressibleByArgument {}
extension RegressionLoss: ExpressibleByArgument {}
extension Tokenizer.Level: ExpressibleByArgument {}
