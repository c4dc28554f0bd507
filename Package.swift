// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "judge-review",
    products: [
        .executable(name: "judge-review", targets: ["judge-review"]),
    ],
    dependencies: [
        // Command line
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Hashing
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        // RFC 4180 CSV: the reference the import's own byte-level reader is tested against (tests only)
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
    ],
    targets: [
        // Numbers only: coefficients, intervals, estimators, planning, our own seeded generator. Knows no items or files.
        .target(name: "ReviewStatistics"),
        // The study: its file layout, items, the annotation store, the labels now, sampling and assignment.
        .target(
            name: "ReviewCore",
            dependencies: [
                "ReviewStatistics",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Running a judge: prompts, an OpenAI-compatible client, answer parsing, the judge log.
        .target(name: "ReviewJudge", dependencies: ["ReviewCore", "ReviewStatistics"]),
        // One analysis per command and its renderings: text, markdown, JSON, CSV, HTML; the manifest and --check.
        .target(name: "ReviewReport", dependencies: ["ReviewCore", "ReviewStatistics"]),
        // Readers for the paper's files and the project's own formats.
        .target(
            name: "ReviewImport",
            dependencies: ["ReviewCore", "ReviewStatistics"]
        ),
        // Both consoles' state, reducers and keymap tables, one pattern: actions in, typed effects out.
        .target(name: "ReviewConsole", dependencies: ["ReviewCore", "ReviewStatistics"]),
        // Pure rendering: cell grid, widgets, screens.
        .target(name: "ReviewUI", dependencies: ["ReviewConsole", "ReviewCore", "ReviewStatistics"]),
        // ncursesw, through a shim header.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // The terminal's restore state and signal handlers, once per process (a C file, not a header's static).
        .target(name: "CTerminalRestore", linkerSettings: [.linkedLibrary("ncursesw")]),
        .target(name: "TerminalBackend", dependencies: ["CNcursesw", "CTerminalRestore", "ReviewUI", "ReviewConsole", "ReviewCore"]),
        // The executable: subcommands and the event loop.
        .executableTarget(
            name: "judge-review",
            dependencies: [
                "ReviewStatistics", "ReviewCore", "ReviewReport", "ReviewJudge", "ReviewConsole", "ReviewImport", "ReviewUI", "TerminalBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (run by hand or by scripts/bench; never timed in tests).
        .executableTarget(
            name: "judge-review-bench",
            dependencies: ["ReviewStatistics", "ReviewCore", "ReviewConsole", "ReviewImport", "ReviewUI", "TerminalBackend"]
        ),

        // Tests, one target a module; shared helpers in ReviewTestSupport (public API only).
        .target(name: "ReviewTestSupport", dependencies: ["ReviewCore", "ReviewConsole"], path: "Tests/ReviewTestSupport"),
        .testTarget(name: "ReviewStatisticsTests", dependencies: ["ReviewStatistics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReviewCoreTests", dependencies: ["ReviewCore", "ReviewStatistics", "ReviewTestSupport"]),
        .testTarget(name: "ReviewJudgeTests", dependencies: ["ReviewJudge", "ReviewCore", "ReviewTestSupport"]),
        .testTarget(name: "ReviewReportTests", dependencies: ["ReviewReport", "ReviewCore", "ReviewStatistics", "ReviewTestSupport"], exclude: ["Snapshots"]),
        .testTarget(
            name: "ReviewImportTests",
            dependencies: ["ReviewImport", "ReviewCore", "ReviewStatistics", .product(name: "CSV", package: "CSV.swift")]
        ),
        .testTarget(name: "ReviewConsoleTests", dependencies: ["ReviewConsole", "ReviewCore", "ReviewStatistics", "ReviewTestSupport"]),
        .testTarget(name: "ReviewUITests", dependencies: ["ReviewUI", "ReviewConsole", "ReviewCore", "ReviewStatistics", "ReviewTestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "TerminalBackendTests", dependencies: ["TerminalBackend", "ReviewUI", "ReviewConsole", "ReviewCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ReviewCore", "ReviewStatistics", "ReviewUI"]),
    ],
    swiftLanguageModes: [.v6]
)
