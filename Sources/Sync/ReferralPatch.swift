import Foundation
import PartnerClient
import Referrals

/// The JSON Patch that brings the server's referral in line with the freshly mapped one.
///
/// Only fields the mapping produces are compared: fields the server added (ids, dates, undocumented
/// extras) or that people changed in Partner Center and the mapping does not set are left alone.
/// Status and substatus are sent only when the contract allows the move from the server's status,
/// because the server, not the mapping, owns the life cycle (it may accept a referral on creation).
struct ReferralPatch: Sendable {
    var operations: [JSONPatchOperation]
    /// Why a mapped status was not sent, for the report.
    var notes: [String]

    /// Top-level keys a PATCH must never touch.
    static let untouchable: Set<String> = [
        "id", "engagementId", "organizationId", "organizationName", "createdDateTime", "updatedDateTime",
        "expirationDateTime", "closedDateTime", "acceptedDateTime", "eTag", "links", "@odata.context",
        "externalReferenceId", "status", "substatus", "type", "direction", "target",
    ]

    init(from current: Referral, to desired: Referral) {
        var operations: [JSONPatchOperation] = []
        var notes: [String] = []
        let have = Self.tree(current)
        let want = Self.tree(desired)
        if case .object(let wantFields) = want, case .object(let haveFields) = have {
            for key in wantFields.keys.sorted() where !Self.untouchable.contains(key) {
                Self.diff(path: "/" + Self.escape(key), have: haveFields[key], want: wantFields[key]!, into: &operations)
            }
        }
        if let wantedStatus = desired.status, wantedStatus != current.status || desired.substatus != current.substatus {
            let from = current.status ?? .new
            let substatus = desired.substatus
            if StatusRules.canTransition(from: from, to: wantedStatus),
                substatus.map({ StatusRules.isAllowed(status: wantedStatus, substatus: $0) }) ?? true
            {
                if wantedStatus != current.status {
                    operations.append(JSONPatchOperation(op: current.status == nil ? "add" : "replace", path: "/status", value: .string(wantedStatus.rawValue)))
                }
                if let substatus, substatus != current.substatus {
                    operations.append(JSONPatchOperation(op: current.substatus == nil ? "add" : "replace", path: "/substatus", value: .string(substatus.rawValue)))
                }
            } else if wantedStatus != from {
                notes.append("status \(wantedStatus)/\(substatus?.rawValue ?? "-") not sent: the referral is \(from)/\(current.substatus?.rawValue ?? "-") in Partner Center and that move is not allowed")
            }
        }
        self.operations = operations
        self.notes = notes
    }

    private static func diff(path: String, have: JSONValue?, want: JSONValue, into operations: inout [JSONPatchOperation]) {
        if case .null = want { return }
        guard let have, have != .null else {
            operations.append(JSONPatchOperation(op: "add", path: path, value: want))
            return
        }
        if case .object(let wantFields) = want, case .object(let haveFields) = have {
            for key in wantFields.keys.sorted() {
                diff(path: path + "/" + escape(key), have: haveFields[key], want: wantFields[key]!, into: &operations)
            }
            return
        }
        if !same(have, want) {
            operations.append(JSONPatchOperation(op: "replace", path: path, value: want))
        }
    }

    /// Equality that ignores what the server adds inside array items (e.g. a `title` on members).
    private static func same(_ have: JSONValue, _ want: JSONValue) -> Bool {
        switch (have, want) {
        case (.object(let h), .object(let w)):
            return w.allSatisfy { key, value in value == .null || (h[key].map { same($0, value) } ?? false) }
        case (.array(let h), .array(let w)):
            return h.count == w.count && zip(h, w).allSatisfy { same($0, $1) }
        case (.number(let h), .number(let w)):
            return h == w
        default:
            return have == want
        }
    }

    static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func tree(_ referral: Referral) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(ReferralJSON.encode(referral)))) ?? .object([:])
    }
}
