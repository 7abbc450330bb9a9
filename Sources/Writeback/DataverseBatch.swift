import Foundation

/// Dataverse Web API `$batch` bodies: one `PATCH <entitySet>(<id>)` per record.
///
/// multipart/mixed with CRLF line ends (MIME's), at most `maxRequests` requests a body (the Web API
/// takes 1,000). Each request is its own part, outside any change set, so one record the CRM
/// refuses does not roll back the others (POST with `Prefer: odata.continue-on-error`).
/// `If-Match: *` makes a PATCH update only: a record deleted in the CRM answers 404 instead of
/// being created again by upsert.
enum DataverseBatch {
    static let maxRequests = 1000

    /// The bodies, each with its boundary (for the `Content-Type` header of the POST).
    static func render(
        batchName: String, entitySet: String, serviceRoot: String, attributes: [String], rows: [(id: String, values: [String])]
    ) -> [(boundary: String, body: [UInt8])] {
        var root = serviceRoot
        while root.hasSuffix("/") { root.removeLast() }
        var bodies: [(String, [UInt8])] = []
        var start = 0
        var part = 1
        while start < rows.count {
            let slice = rows[start..<min(start + maxRequests, rows.count)]
            let boundary = "batch_\(batchName)_\(part)"
            var text = ""
            for (index, row) in slice.enumerated() {
                var object: [String: Any] = [:]
                for (attribute, value) in zip(attributes, row.values) { object[attribute] = value.isEmpty ? NSNull() : value }
                let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
                text += "--\(boundary)\r\n"
                text += "Content-Type: application/http\r\n"
                text += "Content-Transfer-Encoding: binary\r\n"
                text += "Content-ID: \(start + index + 1)\r\n"
                text += "\r\n"
                text += "PATCH \(root)/\(entitySet)(\(row.id)) HTTP/1.1\r\n"
                text += "Content-Type: application/json\r\n"
                text += "If-Match: *\r\n"
                text += "\r\n"
                text += String(decoding: json, as: UTF8.self) + "\r\n"
            }
            text += "--\(boundary)--\r\n"
            bodies.append((boundary, Array(text.utf8)))
            start += maxRequests
            part += 1
        }
        return bodies
    }
}
