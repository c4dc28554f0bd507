import Foundation

/// The `git` executable, run in a study's folder: never asks for a password on the terminal (it fails instead),
/// never opens an editor, and speaks English so its answers read the same everywhere.
public struct GitRunner: Sendable {
    /// The repository's folder.
    public var folder: URL

    public init(folder: URL) { self.folder = folder }

    /// What one git command gave.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        /// The output on one line, made safe for the terminal.
        public var summary: String { TextSanitizer.singleLine(output.trimmedOfWhitespaceAndNewlines) }
    }

    /// Runs `git <arguments>` in the folder; an executable that cannot be started is an error naming the folder.
    @discardableResult
    public func run(_ arguments: [String]) throws -> Result {
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", folder.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_MERGE_AUTOEDIT"] = "no"
        environment["LC_ALL"] = "C"
        git.environment = environment
        let output = Pipe()
        git.standardOutput = output
        git.standardError = output
        git.standardInput = FileHandle.nullDevice
        do {
            try git.run()
        } catch {
            throw InputError(file: folder.path, "cannot run git (\(error.localizedDescription)); install git")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        git.waitUntilExit()
        return Result(status: git.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs `git <arguments>` and returns its output, or throws `InputError` saying what `doing` failed and why.
    @discardableResult
    public func required(_ arguments: [String], doing: String) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else { throw InputError(file: folder.path, "\(doing) failed: \(result.summary)") }
        return result.output
    }
}

/// `judge-review sync STUDY`: the study's new events committed, the other sites' pulled and merged, the whole
/// checked, and the result pushed, with the `git` executable. Never rewrites history, never forces a push.
///
/// It refuses, before changing anything, while a console (or a judge run) on this machine holds the log of a rater
/// whose events it would commit or that the pull would change; it holds the study's lock throughout, so no import,
/// sample or assignment runs here meanwhile. A merge git cannot make is taken back (`git merge --abort`) and the
/// files named; a merged study that `check` finds problems in is not pushed.
public enum StudySync {
    /// What a sync did, line by line, and whether the study it leaves checks clean (a problem that does not block
    /// a sync, a log written at two sites, is shared and reported).
    public struct Outcome: Sendable {
        /// What was done, one line each.
        public var lines: [String] = []
        /// What `check` found (nothing pushed when one of them `blocksSync`).
        public var problems: [StudyCheck.Problem] = []
        /// `check`'s one-line verdict on the study as the sync leaves it.
        public var verdict: String = ""
    }

    /// Attempts at pushing when another site pushed between this sync's pull and its push.
    static let pushAttempts = 3

    /// Syncs `study` (its own git repository) with its remote; `check` is the whole check of a study
    /// (`StudyCheck.withJudges`), `site` names this site in the commit message.
    public static func run(
        _ study: Study, check: (Study) -> StudyCheck = { StudyCheck.run($0) }, site: String = WriterIdentity.currentSite()
    ) throws -> Outcome {
        let git = GitRunner(folder: study.folder)
        let top = try git.run(["rev-parse", "--show-toplevel"])
        guard top.status == 0 else {
            throw InputError(file: study.folder.path, "not a git repository; run `git init` in it, or clone the study's repository, then sync")
        }
        let topFolder = URL(fileURLWithPath: top.output.trimmedOfWhitespaceAndNewlines).resolvingSymlinksInPath().path
        guard topFolder == study.folder.resolvingSymlinksInPath().path else {
            throw InputError(file: study.folder.path, "lies inside the git repository \(TextSanitizer.singleLine(topFolder)); sync works on a study that is a repository of its own")
        }
        let options = study.storeOptions(groupReadable: false)
        let (lock, completed) = try study.lockForWriting(options: options)
        defer { lock.release() }
        var outcome = Outcome()
        if let completed { outcome.lines.append(completed) }
        try StudyRepository.writeIgnoreAndAttributes(study, options: options)

        // 1. Commit what this site wrote, unless a console is still writing it.
        let changed = try changedFiles(git)
        try refuseWhileOpen(changed, study: study, doing: "nothing was committed or pulled")
        let before = check(study)
        guard !before.problems.contains(where: \.blocksSync) else {
            outcome.problems = before.problems
            outcome.verdict = before.verdict
            outcome.lines.append("nothing committed, pulled or pushed: this copy has problems (above); mend them, then sync again")
            return outcome
        }
        if !changed.isEmpty {
            try git.required(["add", "--all", "--", "."], doing: "git add")
            let counts = try eventCounts(git, ["diff", "--cached", "--numstat"], study: study)
            let message = "judge-review sync at \(site): " + (counts.isEmpty ? "study files" : counts.joined(separator: ", "))
            try git.required(identityArguments(git, site: site) + ["commit", "--quiet", "-m", message], doing: "git commit")
            let head = try git.required(["rev-parse", "--short", "HEAD"], doing: "git rev-parse").trimmedOfWhitespaceAndNewlines
            outcome.lines.append("committed \(head): " + (counts.isEmpty ? "the study's files" : counts.joined(separator: ", ")))
        } else {
            outcome.lines.append("nothing new here to commit")
        }

        // 2. Pull, check, push.
        let branch = try git.required(["symbolic-ref", "--quiet", "--short", "HEAD"], doing: "finding the current branch").trimmedOfWhitespaceAndNewlines
        guard let remote = try remoteName(git, branch: branch) else {
            outcome.lines.append("no remote: nothing pulled or pushed (add one with `git remote add origin URL`)")
            let after = check(study)
            outcome.verdict = after.verdict
            outcome.problems = after.problems
            return outcome
        }
        for attempt in 1...pushAttempts {
            let fetched = try git.run(["fetch", "--quiet", remote])
            guard fetched.status == 0 else {
                throw InputError(file: study.folder.path, "cannot fetch from \(remote): \(fetched.summary); what was committed stays here, sync again when the remote can be reached")
            }
            let tracking = "refs/remotes/\(remote)/\(branch)"
            if try git.run(["rev-parse", "--verify", "--quiet", tracking]).status == 0 {
                try merge(git, tracking: tracking, remote: remote, branch: branch, study: study, into: &outcome)
            }
            let after = check(study)
            outcome.verdict = after.verdict
            outcome.problems = after.problems
            guard !after.problems.contains(where: \.blocksSync) else {
                outcome.lines.append("not pushed: the merged study has problems (above); mend them with the other site, then sync again")
                return outcome
            }
            let pushed = try git.run(["push", "--quiet", "--set-upstream", remote, "HEAD:refs/heads/\(branch)"])
            if pushed.status == 0 {
                outcome.lines.append("pushed to \(remote) \(branch)")
                return outcome
            }
            let rejected = pushed.output.contains("rejected") || pushed.output.contains("fetch first") || pushed.output.contains("non-fast-forward")
            guard rejected, attempt < pushAttempts else {
                throw InputError(file: study.folder.path, "cannot push to \(remote): \(pushed.summary); what was committed and merged stays here, sync again")
            }
            outcome.lines.append("\(remote) moved on while syncing; pulling again")
        }
        return outcome
    }

    /// Merges the remote branch: refused while a console here holds a log the merge changes; a merge git cannot
    /// make is taken back and its files named.
    private static func merge(
        _ git: GitRunner, tracking: String, remote: String, branch: String, study: Study, into outcome: inout Outcome
    ) throws {
        let incoming = try git.required(["diff", "--name-only", "-z", "HEAD..." + tracking], doing: "listing what \(remote) brings")
            .split(separator: "\0").map(String.init)
        guard !incoming.isEmpty else {
            outcome.lines.append("\(remote) \(branch) brings nothing new")
            return
        }
        try refuseWhileOpen(incoming, study: study, doing: "what was committed stays here, nothing was merged")
        let counts = try eventCounts(git, ["diff", "--numstat", "HEAD..." + tracking], study: study)
        let merged = try git.run(["merge", "--no-edit", "--quiet", tracking])
        guard merged.status == 0 else {
            let conflicted = (try? git.required(["diff", "--name-only", "--diff-filter=U"], doing: "listing conflicts"))?
                .split(separator: "\n").map { TextSanitizer.singleLine(String($0)) } ?? []
            _ = try? git.run(["merge", "--abort"])
            let files = conflicted.isEmpty ? merged.summary : conflicted.joined(separator: ", ")
            throw InputError(
                file: study.folder.path,
                "cannot merge \(remote) \(branch): both sites changed \(files); nothing was merged (what was committed here stays). "
                    + "Agree which site's version to keep, merge it by hand (git merge), run judge-review check, then sync")
        }
        outcome.lines.append("merged \(remote) \(branch): " + (counts.isEmpty ? "the study's files" : counts.joined(separator: ", ")))
    }

    /// Refuses when a console (or a judge run) on this machine holds the log of one of `paths` (relative to the study).
    private static func refuseWhileOpen(_ paths: [String], study: Study, doing: String) throws {
        for path in paths where path.hasSuffix("." + StudyLayout.logExtension) && path.hasPrefix(StudyLayout.annotationsFolderName + "/") {
            let log = study.folder.appendingPathComponent(path)
            if let holder = LockHolder.ofLog(log) {
                let owner = TextSanitizer.singleLine(String(log.deletingPathExtension().lastPathComponent))
                throw InputError(file: log.path, "\(owner)'s log is open here in \(holder.phrase); close that session, then sync (\(doing))")
            }
        }
    }

    /// The study's files with changes not yet committed (modified, new or removed), relative to the study.
    private static func changedFiles(_ git: GitRunner) throws -> [String] {
        let status = try git.required(["status", "--porcelain=v1", "-z", "--untracked-files=all"], doing: "git status")
        // Each entry: two status letters, a space, the path; a rename is followed by its old path as an entry of its own.
        var files: [String] = []
        var skipNext = false
        for entry in status.split(separator: "\0") {
            if skipNext { skipNext = false; continue }
            guard entry.count > 3 else { continue }
            let code = entry.prefix(2)
            files.append(String(entry.dropFirst(3)))
            if code.contains("R") || code.contains("C") { skipNext = true }
        }
        return files
    }

    /// New log lines per log in a `--numstat` diff, as `alice +12` (`judge gpt +3`, `adjudicator ada +2`), and
    /// the other study files changed.
    private static func eventCounts(_ git: GitRunner, _ arguments: [String], study: Study) throws -> [String] {
        let numstat = try git.required(arguments, doing: "counting new events")
        var parts: [String] = []
        for line in numstat.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard fields.count == 3 else { continue }
            let path = fields[2]
            let name = TextSanitizer.singleLine(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
            let components = path.split(separator: "/").map(String.init)
            guard components.first == StudyLayout.annotationsFolderName, path.hasSuffix("." + StudyLayout.logExtension) else {
                if !path.hasPrefix(".git") { parts.append(TextSanitizer.singleLine(path)) }
                continue
            }
            let who: String
            switch components.count {
            case 3 where components[1] == StudyLayout.adjudicationFolderName: who = "adjudicator \(name)"
            case 3 where components[1] == StudyLayout.judgesFolderName: who = "judge \(name)"
            default: who = name
            }
            parts.append("\(who) +\(fields[0])")
        }
        return parts
    }

    /// The remote to sync with: the branch's own, else `origin`, else the only one; nil when there is none.
    private static func remoteName(_ git: GitRunner, branch: String) throws -> String? {
        let remotes = try git.required(["remote"], doing: "git remote").split(separator: "\n").map(String.init)
        guard !remotes.isEmpty else { return nil }
        if let own = try? git.required(["config", "branch.\(branch).remote"], doing: "").trimmedOfWhitespaceAndNewlines,
           remotes.contains(own) {
            return own
        }
        return remotes.contains("origin") ? "origin" : remotes.count == 1 ? remotes[0] : nil
    }

    /// A committer for a machine where git has none configured: the site, so commits say where they were made.
    private static func identityArguments(_ git: GitRunner, site: String) throws -> [String] {
        let name = try git.run(["config", "user.name"])
        let email = try git.run(["config", "user.email"])
        var arguments: [String] = []
        if name.status != 0 || name.output.trimmedOfWhitespaceAndNewlines.isEmpty {
            arguments += ["-c", "user.name=judge-review at \(site)"]
        }
        if email.status != 0 || email.output.trimmedOfWhitespaceAndNewlines.isEmpty {
            let host = site.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? String($0) : "-" }.joined()
            arguments += ["-c", "user.email=judge-review@\(host).invalid"]
        }
        return arguments
    }
}
