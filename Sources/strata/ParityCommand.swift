import ArgumentParser
import Foundation
import Strata

/// `strata parity DIR`: runs a folder of PyTorch golden cases and reports mismatches.
struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Check Strata's ops against PyTorch golden cases.",
        discussion: """
            DIR holds manifest.json and the .npy arrays it names (the format of \
            shared/fixtures/README.md). Prints one line per failing case (name, which array, \
            max abs/rel error), one per case whose op is unknown (skipped), and last \
            'N passed, M failed, K skipped'. Exits with 1 if any case failed.
            """)

    @Argument(help: "Folder with manifest.json and the case arrays.")
    var directory: String

    @Option(help: "Backend that computes the ops: cpu (oneDNN, the fast path) or reference (plain Swift).")
    var backend: BackendChoice = .cpu

    @Flag(help: "Also print a line for every passing case.")
    var verbose = false

    func run() throws {
        let set: GoldenCaseSet
        do {
            set = try GoldenCaseSet(directory: directory)
        } catch {
            throw ValidationError("\(error)")
        }
        let outcomes = GoldenCaseRunner.run(set, backend: backend.backend)
        var passed = 0, failed = 0, skipped = 0
        for outcome in outcomes {
            switch outcome.status {
            case .passed:
                passed += 1
                if verbose { print("PASS \(outcome.name)") }
            case let .failed(lines):
                failed += 1
                for line in lines { print("FAIL \(outcome.name) (\(outcome.op)): \(line)") }
            case let .skipped(reason):
                skipped += 1
                print("SKIP \(outcome.name): \(reason)")
            }
        }
        print("\(passed) passed, \(failed) failed, \(skipped) skipped")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// The `--backend` values.
enum BackendChoice: String, ExpressibleByArgument, CaseIterable {
    case cpu
    case reference

    var backend: any Backend {
        switch self {
        case .cpu: return Backends.cpu
        case .reference: return Backends.reference
        }
    }
}
