import ArgumentParser
import Foundation

@main
struct RefbridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refbridge",
        abstract: "Bridge CRM exports to Microsoft Partner Center referrals.",
        discussion: """
            Exit codes of sync and preview: 0 done; 1 some records rejected or failed; 2 configuration \
            or usage problem (nothing was sent or written); 3 the run stopped early, run it again to resume.
            """,
        subcommands: [InitCommand.self, SyncCommand.self, PullCommand.self, WritebackCommand.self, PreviewCommand.self, ReadCommand.self, SandboxCommand.self, LedgerCommand.self, AuthCommand.self]
    )

    /// As ArgumentParser's own `main`, except that a usage error exits 2 (our "configuration or
    /// usage" code) rather than 64, so a script tells a bad command line from a bad run the same
    /// way for every command.
    static func main() async {
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(Exit.configuration.rawValue)
            }
            exit(withError: error)
        }
    }
}
