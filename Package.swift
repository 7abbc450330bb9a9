// swift-tools-version:6.2
import PackageDescription

// One settings list for every target, tests included, as Hummingbird does: `any` spelled out,
// members visible only through a module the file imports, and imports internal unless a file
// says `public import` (a module's API shows what it exposes).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "refbridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "refbridge", targets: ["refbridge"]),
        .library(name: "Referrals", targets: ["Referrals"]),
        .library(name: "Importers", targets: ["Importers"]),
        .library(name: "Mapping", targets: ["Mapping"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "LedgerPostgres", targets: ["LedgerPostgres"]),
        .library(name: "PartnerClient", targets: ["PartnerClient"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Sync", targets: ["Sync"]),
        .library(name: "MappingDraft", targets: ["MappingDraft"]),
        .library(name: "Writeback", targets: ["Writeback"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The PostgreSQL ledger backend (issue #14): a maintained driver, not a hand-written wire protocol.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already in the graph through postgres-nio: the ledger URL's sslmode needs its TLS settings.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Already in the graph through async-http-client and Hummingbird; named so that every
        // module a file imports is a declared dependency (no extra build).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // C libraries from the system, found through pkg-config.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // glibc's <malloc.h>, for the executable's allocator settings (mallopt).
        .systemLibrary(name: "CMalloc"),

        // The Referral model, its JSON and its validation rules. No dependencies.
        .target(name: "Referrals", swiftSettings: swiftSettings),
        // Streaming readers for CRM exports: CSV, JSON (OData, NDJSON, arrays), XML.
        .target(name: "Importers", dependencies: ["CLibXML2", "CZlib"], swiftSettings: swiftSettings),
        // Mapping files (YAML) that turn a source record into a Referral.
        .target(
            name: "Mapping",
            dependencies: ["Referrals", "Importers", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The one record stream: files → importer → header check → mapper → duplicates → encoded JSON,
        // in ordered chunks. Preview, dry run and sync all consume it; given a ledger, the stream asks
        // it before mapping, and a record whose source content it holds unchanged is not mapped again.
        .target(
            name: "Pipeline",
            dependencies: ["Referrals", "Importers", "Mapping", "Ledger"],
            swiftSettings: swiftSettings
        ),
        // The SQLite mapping ledger.
        .target(
            name: "Ledger",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL mapping ledger: the same promises as the SQLite one, shared by several hosts,
        // with per-record claims instead of the single-host run lease (issue #14).
        .target(
            name: "LedgerPostgres",
            dependencies: [
                "Ledger",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Partner API client: HTTP, tokens, retries.
        .target(
            name: "PartnerClient",
            dependencies: [
                "Referrals",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local emulator of the Partner API referrals endpoints.
        .target(
            name: "Sandbox",
            dependencies: [
                "Referrals",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Write-back files for the CRM's import tools (Dynamics CSV, Dataverse $batch, Data Loader)
        // and the incoming-leads file, made from the ledger (issue #13).
        .target(
            name: "Writeback",
            dependencies: ["Ledger", "Mapping", "Referrals"],
            swiftSettings: swiftSettings
        ),
        // The job: import, map, plan against the ledger, upload, record, report.
        .target(
            name: "Sync",
            dependencies: [
                "Referrals", "Importers", "Mapping", "Pipeline", "Ledger", "LedgerPostgres", "PartnerClient", "Writeback",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // `refbridge init`: a first mapping drafted from the user's own export (and previewed on it).
        .target(
            name: "MappingDraft",
            dependencies: ["Referrals", "Importers", "Mapping", "Pipeline"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "refbridge",
            dependencies: [
                "Sync", "Sandbox", "Pipeline", "Mapping", "Ledger", "LedgerPostgres", "Referrals", "Importers", "PartnerClient", "Writeback",
                "MappingDraft",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: swiftSettings
        ),

        // Test data shared by test targets: the documented seed request and response.
        .target(name: "Fixtures", path: "Tests/Fixtures", swiftSettings: swiftSettings),
        .testTarget(name: "ReferralsTests", dependencies: ["Referrals", "Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "ImportersTests", dependencies: ["Importers", "Sandbox"], swiftSettings: swiftSettings),
        .testTarget(name: "MappingTests", dependencies: ["Mapping", "Referrals", "Importers"], swiftSettings: swiftSettings),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Ledger", "Mapping", "Referrals", "Importers", "Fixtures"], swiftSettings: swiftSettings),
        // The ledger suite runs against both stores: SQLite always, PostgreSQL at REFBRIDGE_TEST_POSTGRES_URL.
        .testTarget(
            name: "LedgerTests",
            dependencies: [
                "Ledger", "LedgerPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: [
                "Sandbox", "Referrals", "Fixtures",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PartnerClientTests",
            dependencies: [
                "PartnerClient", "Sandbox", "Referrals",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncTests",
            dependencies: [
                "Sync", "Sandbox", "Pipeline", "Ledger", "LedgerPostgres", "Referrals", "Mapping", "Importers", "PartnerClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "MappingDraftTests", dependencies: ["MappingDraft", "Pipeline", "Mapping", "Importers", "Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WritebackTests",
            dependencies: ["Writeback", "Ledger", "Mapping", "Referrals"],
            swiftSettings: swiftSettings
        ),
        // pull against the in-process sandbox: history, high-water mark, write-back, incoming (issue #13).
        .testTarget(
            name: "PullTests",
            dependencies: [
                "Sync", "Sandbox", "Ledger", "Referrals", "Mapping", "PartnerClient", "Writeback",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the built executable, as a user would, and checks exit codes and output.
        .testTarget(name: "refbridgeTests", dependencies: ["refbridge", "Pipeline", "Mapping", "Importers", "Referrals", "Fixtures"], swiftSettings: swiftSettings),
    ]
)
