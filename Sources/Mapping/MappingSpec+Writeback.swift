import Foundation
import Yams

/// The file formats a CRM's own import tools take (issue #13).
public enum CRMFileFormat: String, Sendable, CaseIterable {
    /// Dynamics 365 / Dataverse Import Data wizard: CSV, UTF-8, display-name headers.
    case dynamicsCSV = "dynamics-csv"
    /// Dataverse Web API `$batch` body: one `PATCH <entitySet>(<id>)` per record.
    case dataverseBatch = "dataverse-batch"
    /// Salesforce Data Loader: CSV with API-name headers, plus a matching `.sdl` mapping file.
    case salesforceCSV = "salesforce-csv"
}

/// What refbridge can write back about a record.
public enum WritebackValue: String, Sendable, CaseIterable {
    case referralId, engagementId, status, substatus, statusReason
    /// The referral's `updatedDateTime` on Partner Center (as the last pull saw it).
    case updatedOn
    /// When refbridge wrote the row: not compared (a row is written when another value changed).
    case syncedOn
}

/// The `writeback:` section: one file per run for the CRM to update the records refbridge handled.
///
/// ```yaml
/// writeback:
///   format: dynamics-csv          # or dataverse-batch, salesforce-csv
///   keyColumn: Lead               # dynamics-csv: header of the record GUID column
///   entitySet: leads              # dataverse-batch: the entity set in `PATCH leads(<id>)`
///   columns:                      # value: the CRM column (display name, logical name or API name)
///     referralId: Partner Center Referral Id
///     status: Partner Center Status
/// ```
public struct WritebackSpec: Sendable {
    public var format: CRMFileFormat
    /// The header of the record-id column (Dynamics CSV; Salesforce is always `Id`).
    public var keyColumn: String
    /// The Web API entity set (`leads`, `opportunities`), for `dataverse-batch`.
    public var entitySet: String?
    /// Prefix of each request URL in a `$batch` body (`/api/data/v9.2`, or an absolute service root).
    public var serviceRoot: String
    public var columns: [(value: WritebackValue, column: String)]
    public var line: Int
}

/// The `incoming:` section: incoming referrals as a new-leads file for the CRM.
///
/// ```yaml
/// incoming:
///   format: dynamics-csv          # or salesforce-csv
///   columns:                      # CRM column: referral path (or {const: text})
///     Topic: name
///     Company Name: customerProfile.name
///     Partner Center Referral Id: id
/// ```
public struct IncomingSpec: Sendable {
    public enum Source: Sendable, Hashable {
        /// A path into the referral's JSON: `customerProfile.address.city`, `team[0].email`.
        case path(String)
        case constant(String)
    }

    public var format: CRMFileFormat
    public var columns: [(column: String, source: Source)]
    public var line: Int
}

extension MappingSpec {
    /// Reads `writeback:` and `incoming:` from the mapping's top level; problems carry their line.
    static func crmSections(_ root: Node, file: String) -> (WritebackSpec?, IncomingSpec?, [MappingLoadError]) {
        var errors: [MappingLoadError] = []
        func error(_ node: Node?, _ message: String) {
            errors.append(MappingLoadError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message))
        }
        guard let top = root.mapping else { return (nil, nil, []) }
        func format(_ map: Node.Mapping, _ section: String, allowed: [CRMFileFormat]) -> CRMFileFormat? {
            guard let node = map["format"] else {
                error(key(section), "\(section).format is missing: one of \(allowed.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            guard let text = node.string, let format = CRMFileFormat(rawValue: text), allowed.contains(format) else {
                error(node, "\(section).format must be one of \(allowed.map(\.rawValue).joined(separator: ", ")); got '\(node.string ?? "?")'")
                return nil
            }
            return format
        }

        // A section's "missing" problems point at its key's line (`writeback:`), not its first member.
        func key(_ name: String) -> Node? { top.first { $0.key.string == name }?.key }
        var writeback: WritebackSpec?
        if let node = top["writeback"] {
            if let map = node.mapping {
                let known: Set<String> = ["format", "keyColumn", "entitySet", "serviceRoot", "columns"]
                for (key, _) in map where !known.contains(key.string ?? "") {
                    error(key, "unknown key writeback.\(key.string ?? "?"): the keys are \(known.sorted().joined(separator: ", "))")
                }
                let chosen = format(map, "writeback", allowed: CRMFileFormat.allCases)
                var columns: [(WritebackValue, String)] = []
                if let list = map["columns"]?.mapping, list.count > 0 {
                    for (key, value) in list {
                        guard let name = key.string, let kind = WritebackValue(rawValue: name) else {
                            error(key, "writeback.columns: '\(key.string ?? "?")' is not a value refbridge writes back: use \(WritebackValue.allCases.map(\.rawValue).joined(separator: ", "))")
                            continue
                        }
                        guard let column = value.string, !column.trimmingCharacters(in: .whitespaces).isEmpty else {
                            error(value, "writeback.columns.\(name) must name the CRM column (display name, logical name or API name)")
                            continue
                        }
                        columns.append((kind, column))
                    }
                } else {
                    error(map["columns"] ?? key("writeback"), "writeback.columns is missing: map values (referralId, status, …) to CRM columns")
                }
                let entitySet = map["entitySet"]?.string
                if chosen == .dataverseBatch, entitySet?.isEmpty ?? true {
                    error(key("writeback"), "writeback.entitySet is missing: the Web API entity set to PATCH, e.g. leads or opportunities")
                }
                if let chosen, errors.isEmpty {
                    writeback = WritebackSpec(
                        format: chosen, keyColumn: chosen == .salesforceCSV ? "Id" : (map["keyColumn"]?.string ?? "Record Id"), entitySet: entitySet,
                        serviceRoot: map["serviceRoot"]?.string ?? "/api/data/v9.2", columns: columns, line: node.mark?.line ?? 1)
                }
            } else {
                error(node, "writeback must be a mapping with format and columns")
            }
        }

        var incoming: IncomingSpec?
        let before = errors.count
        if let node = top["incoming"] {
            if let map = node.mapping {
                for (key, _) in map where !["format", "columns"].contains(key.string ?? "") {
                    error(key, "unknown key incoming.\(key.string ?? "?"): the keys are columns, format")
                }
                let chosen = format(map, "incoming", allowed: [.dynamicsCSV, .salesforceCSV])
                var columns: [(String, IncomingSpec.Source)] = []
                if let list = map["columns"]?.mapping, list.count > 0 {
                    for (key, value) in list {
                        let column = key.string ?? ""
                        if let path = value.string, !path.isEmpty {
                            columns.append((column, .path(path)))
                        } else if let constant = value.mapping?["const"]?.string {
                            columns.append((column, .constant(constant)))
                        } else {
                            error(value, "incoming.columns.\(column) must be a referral path (e.g. customerProfile.name) or {const: text}")
                        }
                    }
                } else {
                    error(map["columns"] ?? key("incoming"), "incoming.columns is missing: map CRM columns to referral paths, e.g. `Company Name: customerProfile.name`")
                }
                if let chosen, errors.count == before {
                    incoming = IncomingSpec(format: chosen, columns: columns, line: node.mark?.line ?? 1)
                }
            } else {
                error(node, "incoming must be a mapping with format and columns")
            }
        }
        return (writeback, incoming, errors)
    }
}
