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
        // RFC 4180 CSV
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
    ],
    targets: [
        // Domain: items, labels, the annotation store, agreement statistics, the study, reports.
        .target(
            name: "ReviewCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Readers for the paper's files and the project's own formats.
        .target(
            name: "ReviewImport",
            dependencies: [
                "ReviewCore",
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // Both consoles' state, reducers and keymap tables, one pattern: actions in, typed effects out.
        .target(name: "ReviewConsole", dependencies: ["ReviewCore"]),
        // Pure rendering: cell grid, widgets, screens.
        .target(name: "ReviewUI", dependencies: ["ReviewConsole", "ReviewCore"]),
        // ncursesw, through a shim header.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // The terminal's restore state and signal handlers, once per process (a C file, not a header's static).
        .target(name: "CTerminalRestore", linkerSettings: [.linkedLibrary("ncursesw")]),
        .target(name: "TerminalBackend", dependencies: ["CNcursesw", "CTerminalRestore", "ReviewUI", "ReviewConsole", "ReviewCore"]),
        // The executable: subcommands and the event loop.
        .executableTarget(
            name: "judge-review",
            dependencies: [
                "ReviewCore", "ReviewConsole", "ReviewImport", "ReviewUI", "TerminalBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (run by hand or by scripts/bench; never timed in tests).
        .executableTarget(
            name: "judge-review-bench",
            dependencies: ["ReviewCore", "ReviewConsole", "ReviewImport", "ReviewUI", "TerminalBackend"]
        ),

        // Tests
        .testTarget(name: "ReviewCoreTests", dependencies: ["ReviewCore"], exclude: ["Snapshots"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReviewImportTests", dependencies: ["ReviewImport", "ReviewCore"]),
        .testTarget(name: "ReviewUITests", dependencies: ["ReviewUI", "ReviewConsole", "ReviewCore"], exclude: ["Snapshots"]),
        .testTarget(name: "TerminalBackendTests", dependencies: ["TerminalBackend", "ReviewUI", "ReviewConsole", "ReviewCore", "judge-review"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ReviewCore", "ReviewUI"]),
    ],
    swiftLanguageModes: [.v6]
)
