import ArgumentParser
import Strata

@main
struct StrataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Convolutional networks on images and sequences, from raw data to an explained model.",
        subcommands: [ParityCommand.self])
}
