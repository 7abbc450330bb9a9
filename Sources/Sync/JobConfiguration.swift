import Foundation
public import LedgerPostgres
import Mapping
public import PartnerClient
import Yams

/// The job file of `refbridge sync`: where the API is, how to authenticate, the ledger, the sources
/// and how to upload. Relative paths are resolved against the folder of the job file, so a cron job
/// works whatever its working directory.
public struct JobConfiguration: Sendable {
    public var api: API
    /// The SQLite file; for a PostgreSQL ledger, its URL (never with a password), for messages.
    public var ledgerPath: String
    /// `ledger: postgres://…`: the shared ledger (issue #14). Nil for a SQLite file.
    public var ledgerURL: PostgresLedgerURL? = nil
    /// Where a PostgreSQL ledger's password comes from (`password_env:`, `password_file:`, or PGPASSWORD).
    public var ledgerPassword: PostgresPasswordSource = .none
    public var sources: [Source]
    public var upload: Upload
    public var reportsPath: String
    /// The file this came from, for messages.
    public var file: String
    /// `pull: true`: `sync` ends with a pull (issue #13), so the nightly job is one command.
    public var pull = false
    /// `writeback:`: the folder for write-back and incoming-leads files.
    public var writebackPath = ""

    public enum API: Sendable {
        /// An in-process sandbox, its state kept in `dataFile` so re-runs see what earlier runs created.
        case sandbox(SandboxOptions)
        /// `auth` is decoded when the job file loads, so a wrong block fails before anything is written.
        case remote(baseURL: String, auth: AuthConfiguration)
    }

    public struct SandboxOptions: Sendable {
        public var dataFile: String
        public var faultRate: Double
        public var seed: UInt64?
        public var latencyMilliseconds: Int
        public var throttle: Double?
    }

    public struct Source: Sendable {
        /// The path or glob as written, resolved against the job file's folder.
        public var path: String
        public var mapping: String
        /// A file of this source that yields no record is fine (a nightly delta may be empty);
        /// otherwise it is reported as an error for that file.
        public var allowEmpty = false
    }

    public struct Upload: Sendable {
        public var concurrency: Int = 8
        public var attempts: Int = 5
        public var timeoutSeconds: Double = 30
        public var mode: Mode = .sync

        public enum Mode: String, Sendable {
            /// Create new records; leave existing referrals alone.
            case createOnly = "create-only"
            /// Create new records and update changed ones.
            case sync
        }
    }
}

/// A problem in the job file, with where it is and what to do; the file is named once.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        guard let line else { return "\(file): \(message)" }
        return "\(file):\(line):\(column ?? 1): \(message)"
    }
}

extension JobConfiguration {
    public static let knownTopLevelKeys: Set<String> = ["api", "ledger", "sources", "upload", "reports", "sandbox", "pull", "writeback"]

    /// Reads and checks a job file; every problem found is reported at once.
    public static func load(path: String) throws -> JobConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, message: "cannot read the job file: check the path given to --config")
        }
        return try parse(yaml: text, file: path)
    }

    static func parse(yaml text: String, file: String) throws -> JobConfiguration {
        if let (line, message) = YAMLGuard.check(text) { throw ConfigurationError(file: file, line: line, message: message) }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationError(file: file, message: "the job file is empty: see the README's minimal config")
            }
            root = node
        } catch let error as ConfigurationError {
            throw error
        } catch let error as YamlError {
            let located = MappingSpec.located(error, file: file)
            throw ConfigurationError(file: file, line: located.line, column: located.column, message: located.message)
        } catch {
            throw ConfigurationError(file: file, message: "not valid YAML: \(error)")
        }
        guard let top = root.mapping else {
            throw ConfigurationError(file: file, line: root.mark?.line, message: "the job file must be a mapping with api, ledger, sources, upload and reports")
        }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        func resolve(_ path: String) -> String {
            if path.hasPrefix("/") { return path }
            if path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
            return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: folder, isDirectory: true)).standardizedFileURL.path
        }
        var problems: [ConfigurationError] = []
        func problem(_ node: Node?, _ message: String) {
            problems.append(ConfigurationError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message))
        }
        for (key, _) in top where !knownTopLevelKeys.contains(key.string ?? "") {
            problem(key, "unknown key '\(key.string ?? "?")': the keys are \(knownTopLevelKeys.sorted().joined(separator: ", "))")
        }

        // api
        var api: API = .sandbox(SandboxOptions(dataFile: resolve(".refbridge/sandbox.json"), faultRate: 0, seed: nil, latencyMilliseconds: 0, throttle: nil))
        var sandbox = SandboxOptions(dataFile: resolve(".refbridge/sandbox.json"), faultRate: 0, seed: nil, latencyMilliseconds: 0, throttle: nil)
        if let node = top["sandbox"] {
            if let map = node.mapping {
                if let data = map["data"]?.string { sandbox.dataFile = resolve(data) }
                if let rate = map["faultRate"] {
                    if let value = rate.float, (0...1).contains(value) { sandbox.faultRate = value } else { problem(rate, "sandbox.faultRate must be a number from 0 to 1") }
                }
                if let seed = map["seed"] {
                    if let value = seed.int, value >= 0 { sandbox.seed = UInt64(value) } else { problem(seed, "sandbox.seed must be a whole number") }
                }
                if let latency = map["latencyMs"] {
                    if let value = latency.int, value >= 0 { sandbox.latencyMilliseconds = value } else { problem(latency, "sandbox.latencyMs must be a whole number of milliseconds") }
                }
                if let throttle = map["throttle"] {
                    if let value = throttle.float, value > 0 { sandbox.throttle = value } else { problem(throttle, "sandbox.throttle must be requests per second, above 0") }
                }
            } else {
                problem(node, "sandbox must be a mapping (data, faultRate, seed, latencyMs, throttle)")
            }
        }
        switch top["api"] {
        case nil:
            problem(root, "api is missing: add `api: sandbox` to try the job locally, or `api: {baseURL: https://api.partner.microsoft.com/v1.0, auth: …}`")
        case let node? where node.string == "sandbox":
            api = .sandbox(sandbox)
        case let node?:
            if let map = node.mapping {
                let base = map["baseURL"]?.string
                if base == "sandbox" {
                    api = .sandbox(sandbox)
                } else if let base, base.hasPrefix("http://") || base.hasPrefix("https://") {
                    if let authNode = map["auth"] {
                        do {
                            // Decoded from the node already parsed: never serialized again (an alias
                            // bomb would grow without bound) and checked before anything is written.
                            let auth = try YAMLDecoder().decode(AuthConfiguration.self, from: authNode)
                            api = .remote(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, auth: auth)
                        } catch {
                            problem(authNode, "api.auth is not valid: \(Self.describe(error)). Use one of tokenEnv, tokenFile, tokenCommand or an oauth2 block (see the README)")
                        }
                    } else {
                        problem(node, "api.auth is missing: name where the token comes from (tokenEnv, tokenFile, tokenCommand or oauth2)")
                    }
                } else {
                    problem(map["baseURL"] ?? node, "api.baseURL must be an http(s) URL such as https://api.partner.microsoft.com/v1.0, or `sandbox`")
                }
            } else {
                problem(node, "api must be `sandbox` or a mapping with baseURL and auth")
            }
        }

        // ledger, reports
        var ledger = resolve(".refbridge/ledger.sqlite")
        var ledgerURL: PostgresLedgerURL? = nil
        var ledgerPassword = PostgresPasswordSource.none
        if let node = top["ledger"] {
            // A path keeps SQLite; a postgres:// URL (alone, or as `url:` with where its password
            // comes from) selects the shared PostgreSQL ledger.
            var urlText: String? = nil
            if let text = node.string {
                if PostgresLedgerURL.isPostgres(text) { urlText = text } else { ledger = resolve(text) }
            } else if let map = node.mapping {
                for (key, value) in map {
                    switch key.string {
                    case "url": urlText = value.string
                    case "password_env":
                        if let name = value.string, !name.isEmpty { ledgerPassword = .environment(name) } else { problem(value, "ledger.password_env must name an environment variable") }
                    case "password_file":
                        if let path = value.string, !path.isEmpty { ledgerPassword = .file(resolve(path)) } else { problem(value, "ledger.password_file must be a file path") }
                    default:
                        problem(key, "unknown key ledger.\(key.string ?? "?"): the keys are url, password_env, password_file")
                    }
                }
                if urlText == nil { problem(node, "ledger.url is missing: write url: postgres://USER@HOST:5432/DATABASE?sslmode=require") }
            } else {
                problem(node, "ledger must be a file path such as .refbridge/ledger.sqlite, or a postgres:// URL")
            }
            if let urlText {
                do {
                    let url = try PostgresLedgerURL(urlText)
                    ledgerURL = url
                    ledger = url.description
                } catch {
                    problem(node, "\(error)")
                }
            }
        }
        let reports = top["reports"]?.string.map(resolve) ?? resolve(".refbridge/reports")
        if let node = top["reports"], node.string == nil { problem(node, "reports must be a folder path such as .refbridge/reports") }

        // sources
        var sources: [Source] = []
        if let node = top["sources"] {
            if let list = node.sequence, !list.isEmpty {
                for item in list {
                    guard let map = item.mapping, let path = map["path"]?.string, let mapping = map["mapping"]?.string else {
                        problem(item, "each source needs `path:` (a file or a glob) and `mapping:` (a file in mappings/)")
                        continue
                    }
                    var source = Source(path: resolve(path), mapping: resolve(mapping))
                    for (key, value) in map {
                        switch key.string {
                        case "path", "mapping": break
                        case "allowEmpty":
                            if let flag = value.bool { source.allowEmpty = flag } else { problem(value, "sources[].allowEmpty must be true or false") }
                        default:
                            problem(key, "unknown key sources[].\(key.string ?? "?"): the keys are path, mapping, allowEmpty")
                        }
                    }
                    sources.append(source)
                }
            } else {
                problem(node, "sources must be a list of {path, mapping}")
            }
        } else {
            problem(root, "sources is missing: list the exports to read, each with `path:` and `mapping:`")
        }

        // upload
        var upload = Upload()
        if let node = top["upload"] {
            if let map = node.mapping {
                for (key, value) in map {
                    switch key.string {
                    case "concurrency":
                        if let number = value.int, (1...64).contains(number) { upload.concurrency = number } else { problem(value, "upload.concurrency must be a whole number from 1 to 64") }
                    case "attempts":
                        if let number = value.int, (1...20).contains(number) { upload.attempts = number } else { problem(value, "upload.attempts must be a whole number from 1 to 20") }
                    case "timeoutSeconds", "timeout":
                        if let number = value.float, number > 0, number <= 3600 { upload.timeoutSeconds = number } else { problem(value, "upload.timeoutSeconds must be a number of seconds above 0 and at most 3600") }
                    case "mode":
                        if let text = value.string, let mode = Upload.Mode(rawValue: text) { upload.mode = mode } else { problem(value, "upload.mode must be create-only or sync") }
                    default:
                        problem(key, "unknown key upload.\(key.string ?? "?"): the keys are concurrency, attempts, timeoutSeconds, mode")
                    }
                }
            } else {
                problem(node, "upload must be a mapping (concurrency, attempts, timeoutSeconds, mode)")
            }
        }

        if let node = top["pull"], node.bool == nil { problem(node, "pull must be true or false") }
        if let node = top["writeback"], node.string == nil { problem(node, "writeback must be a folder path such as .refbridge/writeback") }

        if let first = problems.first {
            if problems.count == 1 { throw first }
            throw ConfigurationErrors(problems: problems)
        }
        var job = JobConfiguration(api: api, ledgerPath: ledger, sources: sources, upload: upload, reportsPath: reports, file: file)
        job.ledgerURL = ledgerURL
        job.ledgerPassword = ledgerPassword
        // Issue #13: closing the loop with the CRM.
        job.pull = top["pull"]?.bool ?? false
        job.writebackPath = top["writeback"]?.string.map(resolve) ?? resolve(".refbridge/writeback")
        return job
    }
}

extension JobConfiguration {
    /// A decoding error in a sentence, without Swift's coding-path dump.
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "'\(key.stringValue)' is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
