import Foundation

/// The Python of the test virtual environment (`make test` sets `STRATA_PYTHON`; it holds
/// the reference readers of Strata's outputs, such as TensorBoard's).
enum ReferencePython {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["STRATA_PYTHON"] { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/venv/bin/python").path
    }

    /// Runs `script` with `arguments`; returns the exit status and standard output.
    static func run(_ script: String, _ arguments: [String] = []) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", script] + arguments
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let failure = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        return (process.terminationStatus, process.terminationStatus == 0 ? output : output + String(decoding: failure, as: UTF8.self))
    }
}
