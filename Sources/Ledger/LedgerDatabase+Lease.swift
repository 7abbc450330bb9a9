#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation
import GRDB
import Synchronization

/// Who holds the ledger: enough for a person to find the other run.
public struct LedgerLease: Sendable, Hashable, CustomStringConvertible {
    public var token: String
    public var runId: Int64?
    public var host: String
    public var pid: Int32
    public var startedAt: Date
    public var heartbeatAt: Date

    public var description: String {
        let since = ISO8601DateFormatter().string(from: startedAt)
        return "run \(runId.map(String.init) ?? "(starting)") on \(host) pid \(pid) since \(since)"
    }
}

/// A second run found the ledger held by a live one. Nothing was read, sent or written.
public struct LedgerBusy: Error, CustomStringConvertible, Sendable {
    public var holder: LedgerLease
    public var description: String {
        "the ledger is in use by \(holder): wait for it to finish (or, if that process is gone from another machine, for its lease to expire \(Int(LedgerDatabase.leaseTimeout)) s after its last heartbeat)"
    }
}

/// The lease: exactly-once across overlapping runs.
///
/// A run takes the lease before it reads anything and keeps it with a heartbeat; a second run
/// finds it held and stops (exit 3) without changing anything. A holder that died is taken over:
/// on the same host at once when its pid no longer exists (kill -9, a crash), from another host
/// once its heartbeat is older than `leaseTimeout` (power loss). Every `pending` mark, the gate
/// before any create is sent, checks in its own transaction that this process still holds the
/// lease, so a holder that stalled past its timeout and lost the lease sends nothing more: the new
/// holder reconciles whatever it left pending. The PostgreSQL ledger can keep the same promise
/// with the same row (or per-record claims).
extension LedgerDatabase {
    /// A lease whose heartbeat is older than this is taken over from any host.
    public static let leaseTimeout: TimeInterval = 120
    /// How often the holder renews it.
    public static let heartbeatInterval: TimeInterval = 10

    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Takes the lease, or throws `LedgerBusy` naming the live holder.
    /// - Parameters:
    ///   - now: the clock, for tests.
    ///   - isAlive: whether a pid on this host is still running, for tests.
    public func acquireLease(now: Date = Date(), host: String = LedgerDatabase.hostName, pid: Int32 = getpid(), isAlive: @escaping @Sendable (Int32) -> Bool = LedgerDatabase.processExists) async throws -> LedgerLease {
        let token = UUID().uuidString.lowercased()
        let lease = LedgerLease(token: token, runId: nil, host: host, pid: pid, startedAt: now, heartbeatAt: now)
        try await writer.write { db in
            if let holder = try Self.currentLease(db) {
                let dead = holder.host == host ? !isAlive(holder.pid) || holder.pid == pid : false
                let expired = now.timeIntervalSince(holder.heartbeatAt) > Self.leaseTimeout
                guard dead || expired else { throw LedgerBusy(holder: holder) }
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO lease (id, token, runId, host, pid, startedAt, heartbeatAt) VALUES (1, ?, NULL, ?, ?, ?, ?)",
                arguments: [token, host, pid, now, now])
        }
        heldLease.withLock { $0 = token }
        return lease
    }

    /// Names the run that holds the lease, for `ledger stats` and the busy message.
    public func setLeaseRun(_ runId: Int64) async throws {
        guard let token = heldLease.withLock({ $0 }) else { return }
        try await writer.write { db in try db.execute(sql: "UPDATE lease SET runId = ? WHERE token = ?", arguments: [runId, token]) }
    }

    /// Renews the lease; false when another run has taken it over (this run must stop sending).
    public func renewLease(now: Date = Date()) async throws -> Bool {
        guard let token = heldLease.withLock({ $0 }) else { return false }
        let renewed = try await writer.write { db in
            try db.execute(sql: "UPDATE lease SET heartbeatAt = ? WHERE token = ?", arguments: [now, token])
            return db.changesCount == 1
        }
        if !renewed { heldLease.withLock { $0 = nil } }
        return renewed
    }

    public func releaseLease() async throws {
        guard let token = heldLease.withLock({ $0 }) else { return }
        try await writer.write { db in try db.execute(sql: "DELETE FROM lease WHERE token = ?", arguments: [token]) }
        heldLease.withLock { $0 = nil }
    }

    public func lease() async throws -> LedgerLease? {
        try await writer.read { db in try Self.currentLease(db) }
    }

    /// Inside a write: throws unless this process holds the lease (no lease taken: tests and tools
    /// that write without one are let through).
    func checkLease(_ db: Database) throws {
        guard let token = heldLease.withLock({ $0 }) else { return }
        let holder = try String.fetchOne(db, sql: "SELECT token FROM lease WHERE id = 1")
        guard holder == token else {
            throw LedgerError("this run lost its lease on the ledger to another run (it stalled longer than \(Int(Self.leaseTimeout)) s): it stops sending; the other run finishes the work")
        }
    }

    static func currentLease(_ db: Database) throws -> LedgerLease? {
        guard let row = try Row.fetchOne(db, sql: "SELECT token, runId, host, pid, startedAt, heartbeatAt FROM lease WHERE id = 1") else { return nil }
        return LedgerLease(token: row[0], runId: row[1], host: row[2], pid: row[3], startedAt: row[4], heartbeatAt: row[5])
    }

    /// Whether a process with this pid exists on this host (signal 0 checks without sending).
    public static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
