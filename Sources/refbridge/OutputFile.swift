import Foundation
import Sync

/// Opens `path` for writing as the shell's `>` does: created with `mode` when missing, truncated when
/// present, written in place. `FileManager.createFile` would instead write a new file and rename it
/// over the path, replacing a symlink, a FIFO, or (run as root) `/dev/null` itself.
func openOutputFile(_ path: String, mode: mode_t = 0o600) -> FileOutput? {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard descriptor >= 0 else { return nil }
    return FileOutput(descriptor: descriptor)
}
