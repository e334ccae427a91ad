import Foundation

/// A custmig command printed for the user to paste: it names the workspace (and the target) the user
/// worked on, quoted for the shell, so that pasted it acts on the same migration, not on `./migration`.
public enum SuggestedCommand {
    /// `custmig ARGUMENTS`, with `--workspace PATH` unless the workspace is the default `migration`,
    /// and `--target LOCATION` when given. `arguments` are already shell words (`approve 3 --by "NAME"`).
    public static func text(_ arguments: String, workspace: String?, target: String? = nil) -> String {
        var text = "custmig " + arguments
        if let target { text += " --target " + shellQuoted(target) }
        if let workspace, workspace != "migration", workspace != "./migration" {
            text += " --workspace " + shellQuoted(workspace)
        }
        return text
    }

    /// `word` as one shell word: as is when it holds only characters no shell treats specially, else in
    /// single quotes (a quote inside as `'\''`).
    public static func shellQuoted(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."),
                    UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: ","),
                    UInt8(ascii: "="):
                    return true
                default:
                    return false
                }
            }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
