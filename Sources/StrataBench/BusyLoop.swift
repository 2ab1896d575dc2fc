import Foundation

/// Another program's work on one core: a shell spinning in a loop until stopped, so a
/// workload can be measured on a machine that is not idle.
struct BusyLoop {
    private let process: Process

    static func start() -> BusyLoop {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "while :; do :; done"]
        try? process.run()
        Thread.sleep(forTimeInterval: 0.5)   // let the scheduler see it
        return BusyLoop(process: process)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
