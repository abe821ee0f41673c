import Foundation

/// Decides, before `dlopen` runs a file's constructors, whether a module file
/// may be loaded: it must be an ELF shared object for this machine, and no one
/// but root or the agent's own user may be able to replace it — neither the
/// file nor any folder on the way to it from `/`.
///
/// A sticky folder (`/tmp`, mode 1777) is refused like any other writable one:
/// the sticky bit stops users deleting each other's files, not planting their
/// own. Symbolic links are judged at both ends: the folders holding the link
/// and the folders holding the file it names.
public enum ModuleFileTrust {
    /// Owners whose files and folders may be trusted: root and the agent's user.
    public static var trustedOwners: Set<uid_t> { [0, geteuid()] }

    /// Why `path` must not be loaded, or nil when it may be.
    public static func problem(path: String, trustedOwners: Set<uid_t> = trustedOwners) -> String? {
        guard let real = realpath(path, nil) else { return "cannot resolve: \(String(cString: strerror(errno)))" }
        defer { free(real) }
        let resolved = String(cString: real)
        var info = stat()
        guard stat(resolved, &info) == 0 else { return "cannot stat: \(String(cString: strerror(errno)))" }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "not a regular file" }
        if let fault = ownershipProblem(info, trustedOwners: trustedOwners) {
            return "file \(resolved) \(fault)"
        }
        var folders = ancestors(of: resolved)
        let linkFolder = (path as NSString).deletingLastPathComponent
        if let realLinkFolder = realpath(linkFolder.isEmpty ? "." : linkFolder, nil) {
            for folder in ancestors(ofFolder: String(cString: realLinkFolder)) where !folders.contains(folder) {
                folders.append(folder)
            }
            free(realLinkFolder)
        }
        for folder in folders {
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0 else { return "cannot stat folder \(folder): \(String(cString: strerror(errno)))" }
            if let fault = ownershipProblem(folderInfo, trustedOwners: trustedOwners) {
                return "folder \(folder) \(fault); modules load only from folders no other user can write"
            }
        }
        return ELFCheck.problem(path: resolved)
    }

    private static func ownershipProblem(_ info: stat, trustedOwners: Set<uid_t>) -> String? {
        let mode = info.st_mode & 0o7777
        if !trustedOwners.contains(info.st_uid) {
            return String(format: "is owned by uid %u, not root or the agent's user", info.st_uid)
        }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            let sticky = info.st_mode & S_ISVTX != 0 ? ", sticky" : ""
            return String(format: "is group- or world-writable (mode %o%@)", mode, sticky)
        }
        return nil
    }

    /// The folders holding `file`, innermost first, up to and including `/`.
    static func ancestors(of file: String) -> [String] {
        ancestors(ofFolder: (file as NSString).deletingLastPathComponent)
    }

    static func ancestors(ofFolder folder: String) -> [String] {
        var result: [String] = []
        var current = folder.isEmpty ? "/" : folder
        while true {
            result.append(current)
            if current == "/" { break }
            let parent = (current as NSString).deletingLastPathComponent
            current = parent.isEmpty ? "/" : parent
        }
        return result
    }
}

/// The first bytes of an ELF file, read before `dlopen` so that a text file,
/// an executable or a library for another machine is named for what it is.
enum ELFCheck {
    /// `e_machine` of the machine this agent was built for.
    static var hostMachine: UInt16 {
        #if arch(x86_64)
        return 62  // EM_X86_64
        #elseif arch(arm64)
        return 183  // EM_AARCH64
        #else
        return 0
        #endif
    }

    static func problem(path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "cannot be opened for reading" }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 20)) ?? Data())
        return problem(header: header)
    }

    static func problem(header: [UInt8]) -> String? {
        guard header.count >= 4, header[0...3] == [0x7F, 0x45, 0x4C, 0x46] else {
            return "not an ELF shared object (\(header.count < 4 ? "only \(header.count) bytes" : "no ELF magic"))"
        }
        guard header.count >= 20 else { return "not an ELF shared object (truncated header, \(header.count) bytes)" }
        guard header[4] == 2 else { return "a 32-bit ELF file; this agent loads 64-bit modules" }
        guard header[5] == 1 else { return "a big-endian ELF file; this agent loads little-endian modules" }
        let type = UInt16(header[16]) | UInt16(header[17]) << 8
        guard type == 3 else {
            let kind = type == 2 ? "an executable" : type == 1 ? "an object file (.o), not linked" : "ELF type \(type)"
            return "\(kind), not a shared object; build it with -shared"
        }
        let machine = UInt16(header[18]) | UInt16(header[19]) << 8
        if hostMachine != 0, machine != hostMachine {
            return "built for another machine (ELF e_machine \(machine), this host is \(hostMachine))"
        }
        return nil
    }
}
