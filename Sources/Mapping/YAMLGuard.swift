import Foundation

/// Refuses, before the YAML library sees them, the constructs that make composing a small file
/// cost minutes or gigabytes: an alias (or any complex node) used as a mapping key, which the
/// library expands and compares in full when it checks for duplicate keys (a 500-byte "billion
/// laughs" took over a minute). Neither a mapping nor a job file has a use for them.
public enum YAMLGuard {
    /// The first offending line (1-based) and what to do, or nil.
    public static func check(_ text: String) -> (line: Int, message: String)? {
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" }.drop { $0 == "-" || $0 == " " }
            // `? key` (an explicit, possibly complex key) or `*alias: value` (an alias as a key).
            if trimmed.hasPrefix("? ") || trimmed == "?" {
                return (lineNumber, "explicit (`?`) mapping keys are not supported: write the key as plain text")
            }
            if trimmed.hasPrefix("*"), trimmed.range(of: #"^\*[^\s,\[\]{}]+\s*:(\s|$)"#, options: .regularExpression) != nil {
                return (lineNumber, "an alias used as a key (`*name:`) is not supported: write the key as plain text")
            }
            if trimmed.contains("{") && trimmed.contains("*") && trimmed.range(of: #"[{,]\s*\*[^\s,}:]+\s*:"#, options: .regularExpression) != nil {
                return (lineNumber, "an alias used as a key is not supported: write the key as plain text")
            }
        }
        return nil
    }
}
