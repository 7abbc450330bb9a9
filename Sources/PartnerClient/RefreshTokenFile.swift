public import Foundation

/// The refresh token `refbridge auth login` stores and unattended runs redeem: one line, mode
/// 0600 in a folder created 0700, replaced atomically (write a temporary file, then rename), so a
/// crash never leaves half a token. The only file the client writes.
public enum RefreshTokenFile {
    public static func save(_ token: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let manager = FileManager.default
        if !folder.isEmpty, !manager.fileExists(atPath: folder) {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw PartnerAPIError(kind: .auth, message: "cannot create the folder \(folder) for the refresh token: \(error.localizedDescription)")
            }
        }
        let temporary = (folder.isEmpty ? "." : folder) + "/.refresh-token-" + UUID().uuidString.lowercased() + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw PartnerAPIError(kind: .auth, message: "cannot write the refresh token file in \(folder.isEmpty ? "." : folder): \(String(cString: strerror(errno)))")
        }
        let bytes = Array((token + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw PartnerAPIError(kind: .auth, message: "cannot replace the refresh token file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The stored token; an `.auth` error that says to log in when there is none.
    public static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PartnerAPIError(kind: .auth, message: "no refresh token at \(path): run `refbridge auth login` once (interactively)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw PartnerAPIError(kind: .auth, message: "the refresh token file \(path) is empty: run `refbridge auth login` again")
        }
        return token
    }

    /// When the token was saved and whether others can read the file; nil when there is none.
    public static func status(_ path: String) -> (saved: Date?, mode: Int)? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        return (attributes[.modificationDate] as? Date, mode)
    }
}
