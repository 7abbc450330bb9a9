import ArgumentParser

/// How every command ends. `sync` and `preview` share them; `auth login` documents its own.
enum Exit {
    /// Every record created, updated, unchanged or skipped by a rule.
    static let done = ExitCode.success
    /// Some records were rejected or failed: the reports (or the preview) say which and why.
    static let recordsFailed = ExitCode(1)
    /// A configuration or usage problem, found before anything was sent or written.
    static let configuration = ExitCode(2)
    /// The run stopped early (the API is down, the ledger is in use, the disk is full): the ledger
    /// is consistent, run the same command again to resume.
    static let aborted = ExitCode(3)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("refbridge: " + message + "\n").utf8))
}

import Foundation
