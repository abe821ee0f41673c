import Foundation
import VigilStatus

/// Every line the command line writes goes through here, escaped for the
/// terminal: names, tags and messages come from other processes.
func say(_ text: String, terminator: String = "\n") {
    print(TerminalText.output(text), terminator: terminator)
}

func sayError(_ text: String) {
    FileHandle.standardError.write(Data(TerminalText.output(text).utf8))
}
