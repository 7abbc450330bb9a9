import ArgumentParser

@main
struct RefbridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refbridge",
        abstract: "Bridge CRM exports to Microsoft Partner Center referrals.",
        subcommands: [SyncCommand.self, PreviewCommand.self, SandboxCommand.self, LedgerCommand.self, AuthCommand.self, ReadCommand.self]
    )
}
